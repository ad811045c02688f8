// The end of a run, as text (the table of trials) and as data (the --json document). Pure functions.
import type { EngineName, TrialStatus } from '../config/schema.js';
import type { ExpectationResult } from '../expect/index.js';
import { formatDurationShort, formatLoss } from '../format.js';
import type { TrialRow } from '../run.js';
import type { FinalLosses, Summary } from '../types.js';
import { describeParams, formatValue } from '../values.js';
import { formatStatus } from './style.js';

export type { TrialRow } from '../run.js';

/** The --json document: exactly this on stdout, nothing else there. */
export interface RunDocument {
  report: string | null; // DIR/NAME.html, or null when it was not built
  trials: {
    id: string;
    params: Record<string, unknown>;
    status: TrialStatus | 'pending'; // pending: not finished (the run was interrupted)
    steps: number | null; // steps trained (fewer than steps_planned when diverged, stopped or failed)
    steps_planned: number;
    engine: EngineName | null; // what trained it (null: not finished); engine_fallback says why not the kernel it asked for
    engine_fallback?: string;
    final: FinalLosses;
    steps_per_s: number | null;
    seconds: number | null;
    resumed_from: number | null; // the step of the checkpoint it went on from (null: trained in one run)
  }[];
  expectations: ExpectationResult[]; // every check, passed or not
}

/** The --json document of a run. */
export function runDocument(report: string | null, rows: TrialRow[], expectations: ExpectationResult[]): RunDocument {
  return {
    report,
    trials: rows.map(({ trial, summary }) => ({
      id: trial.id,
      params: trial.params,
      status: summary?.status ?? 'pending',
      steps: summary?.steps ?? null,
      steps_planned: trial.config.train.steps,
      engine: summary?.engine ?? null,
      ...(summary?.engine_fallback === undefined ? {} : { engine_fallback: summary.engine_fallback }),
      final: summary?.final ?? { train_loss: null, dev_loss: null, test_loss: null },
      steps_per_s: summary?.steps_per_s ?? null,
      seconds: summary?.seconds ?? null,
      resumed_from: summary?.resumed_from ?? null,
    })),
    expectations,
  };
}

/**
 * The table of trials: id, the values that vary, status, engine (the one that trained it, or will: a grid over `engine`
 * shows here rather than among the values), steps (as "2,000/20,000" when a trial ended early), train and dev loss,
 * time (* marks results of an earlier run).
 */
export function endTable(rows: TrialRow[], color: boolean): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.trial.params)))].filter((k) => k !== 'engine');
  const header = ['id', ...keys, 'status', 'engine', 'steps', 'train', 'dev', 'time'];
  const statusColumn = 1 + keys.length;
  const cells = rows.map(({ trial, summary, earlier }) => [
    trial.id,
    ...keys.map((k) => (k in trial.params ? formatValue(trial.params[k]) : '')),
    summary?.status ?? 'pending',
    summary?.engine ?? trial.config.engine,
    stepsCell(summary, trial.config.train.steps),
    formatLoss(summary?.final.train_loss),
    formatLoss(summary?.final.dev_loss),
    summary === undefined ? '-' : formatDurationShort(summary.seconds) + (earlier ? '*' : ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const numeric = new Set([header.length - 4, header.length - 3, header.length - 2, header.length - 1]);
  const line = (row: string[], isHeader: boolean) =>
    row
      .map((cell, i) => {
        const padded = numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
        return i === statusColumn && !isHeader ? padded.replace(cell, formatStatus(cell as TrialStatus | 'pending', color)) : padded;
      })
      .join('  ')
      .trimEnd();
  const lines = [line(header, true), ...cells.map((row) => line(row, false))];
  if (rows.some((r) => r.earlier)) lines.push('* finished by an earlier run (--force runs it again)');
  return lines.join('\n');
}

/** The steps a trial trained: "20,000", or "2,000/20,000" when it ended before its last step; "-" when unfinished. */
function stepsCell(summary: Summary | undefined, planned: number): string {
  if (summary === undefined) return '-';
  const done = summary.steps.toLocaleString('en-US');
  return summary.steps < planned ? `${done}/${planned.toLocaleString('en-US')}` : done;
}

/** The expectations that missed, one line each: which trial, which key, expected, found. */
export function missedLines(results: ExpectationResult[]): string[] {
  return results
    .filter((r) => !r.passed)
    .map((r) => `expectation ${r.expectation + 1} missed: trial ${r.trial} (${describeParams(r.params) || 'no varying values'}): ${r.key} expected ${r.expected}, found ${r.found}`);
}
