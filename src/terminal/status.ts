// `run-exp status` as the terminal shows it: a table of the trials' states (and a line about the Slurm array), or the
// status document with --json.
import { formatLoss } from '../format.js';
import { readStatus, type StatusDocument, type TrialState } from '../launch/status.js';
import type { Submission } from '../launch/slurm/watch.js';
import { describeParams } from '../values.js';

/** Print the status of experiment NAME under DIR; resolves to the exit code (2 when there is none). */
export async function showStatus(out: string, name: string, json: boolean): Promise<number> {
  const status = await readStatus(out, name);
  if (status.kind === 'error') {
    process.stderr.write(`run-exp status: ${status.message}\n`);
    return 2;
  }
  process.stdout.write((json ? JSON.stringify(status.doc, null, 2) : statusTable(status.doc, status.sub)) + '\n');
  return 0;
}

/** The status as a table (and a line about the array). */
export function statusTable(doc: StatusDocument, sub: Submission | undefined): string {
  const keys = [...new Set(doc.trials.flatMap((r) => Object.keys(r.params)))].filter((k) => k !== 'engine'); // its own column
  const header = ['id', ...keys, 'state', 'engine', ...(sub ? ['task', 'slurm', 'exit'] : []), 'step', 'dev', 'note'];
  const cells = doc.trials.map((r) => [
    r.id,
    ...keys.map((k) => (k in r.params ? describeParams({ [k]: r.params[k] }).slice(k.length + 1) : '')),
    r.state,
    r.engine,
    ...(sub ? [r.task === null ? '-' : String(r.task), r.slurm_state ?? '-', r.exit_code ?? '-'] : []),
    `${r.step ?? '-'}/${r.steps}`,
    formatLoss(r.dev_loss),
    r.reason ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const counts = new Map<TrialState, number>();
  for (const r of doc.trials) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const tally = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  const head = sub === undefined ? `${doc.experiment}: ${tally}` : `${doc.experiment}: Slurm job ${sub.job.job_id} (${sub.job.tasks} task${sub.job.tasks === 1 ? '' : 's'}, submitted ${sub.job.submitted_at}); ${tally}`;
  const run = doc.run === null ? [] : [`in use by a run: ${doc.run}`];
  return [head, ...run, line(header), ...cells.map(line)].join('\n');
}
