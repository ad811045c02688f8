// A run as the terminal shows it. While the trials run: progress and notes on stderr (bars on a terminal, plain lines
// elsewhere, nothing with --quiet but warnings). At the end: what went wrong besides the trials, the end table, the
// missed expectations and the report's path (on stdout, or on stderr with --json), and with --json one JSON document
// on stdout, nothing else there.
import { runExperiment, type RunEvents, type RunOptions, type RunResult } from '../run.js';
import type { Plan, Trial } from '../types.js';
import { createProgressDisplay, type ProgressDisplay } from './progress.js';
import { useColor } from './style.js';
import { endTable, missedLines, runDocument } from './table.js';

/** How the terminal shows a run. */
export interface ShowOptions {
  quiet: boolean; // only the final lines (and warnings)
  json: boolean; // one JSON document on stdout at the end, nothing else there
  progressIntervalMs?: number; // without a terminal: how often running trials are reported (default 10 s)
}

/** Run the plan and show it; resolves to the exit code. */
export async function runAndShow(plan: Plan, options: RunOptions & ShowOptions): Promise<number> {
  const result = await runExperiment(plan, options, progressEvents(options));
  return showResult(result, options);
}

/**
 * The run's events on stderr. Before the trials begin and after they finish, a note is a plain line (a `progress`
 * note not with --quiet); while they run it goes through the progress display, which --quiet and --detach silence
 * (an `always` note is then a plain line).
 */
export function progressEvents(options: ShowOptions & { detach?: boolean }): RunEvents {
  const silent = options.quiet || options.detach === true;
  let display: ProgressDisplay | undefined;
  let running = false;
  const write = (line: string) => void process.stderr.write(line + '\n');
  return {
    begin(trials: Trial[]) {
      display = createProgressDisplay({ stream: process.stderr, quiet: silent, color: useColor(process.stderr), trials, intervalMs: options.progressIntervalMs });
      running = true;
    },
    note(line, level = 'progress') {
      if (running && !silent) display!.note(line);
      else if (level === 'always') write(line);
      else if (!running && !options.quiet) write(line);
    },
    start: (trial) => display?.start(trial),
    progress: (trial, p) => display?.progress(trial, p),
    end: (trial, summary) => display?.end(trial, summary),
    finish() {
      display?.stop();
      running = false;
    },
  };
}

/** Say how the run ended; returns its exit code. */
export function showResult(result: RunResult, options: ShowOptions): number {
  const final = options.json ? process.stderr : process.stdout; // the table and the report's path
  const say = (line: string) => void final.write(line + '\n');
  switch (result.kind) {
    case 'refused':
      process.stderr.write(`run-exp: ${result.message}\n`);
      if (options.json) process.stdout.write(JSON.stringify({ errors: [{ message: result.message }] }, null, 2) + '\n');
      return result.exitCode;
    case 'detached':
      if (options.json) process.stdout.write(JSON.stringify({ job_id: result.jobId, experiment: result.experimentDir, trials: result.trials.map((t, task) => ({ id: t.id, task, params: t.params })) }) + '\n');
      else process.stdout.write(result.jobId + '\n');
      return result.exitCode;
    case 'ended': {
      for (const problem of result.problems) say(problem);
      say(endTable(result.rows, useColor(final)));
      if (result.interrupted !== undefined) say(result.interrupted);
      else {
        for (const line of missedLines(result.expectations)) say(line);
        if (result.report !== null) say(`report: ${result.report}`);
      }
      if (options.json) process.stdout.write(JSON.stringify(runDocument(result.report, result.rows, result.expectations)) + '\n');
      return result.exitCode;
    }
    default:
      throw new Error(`run result not recognised: ${JSON.stringify(result satisfies never)}`);
  }
}
