// A failed trial is a value: why it failed, in words, and the summary.json that records it.
import type { Summary, Trial, Progress } from '../types.js';

/** How a trial failed: its code threw, its worker died (exit code or signal), it ran past the per-trial limit, its worker broke the protocol, or Slurm ended its task. */
export type Failure =
  | { kind: 'threw'; message: string; stack: string }
  | { kind: 'died'; exitCode: number | undefined; signal: string | undefined }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'protocol'; message: string }
  | { kind: 'slurm'; reason: string }; // Slurm ended the task (cancelled, time limit, memory, node failure) or forgot it

/** Lines of stderr kept in summary.json (all of it is in stderr.log). */
export const STDERR_TAIL_LINES = 20;

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/;

/** Why the trial failed, in one sentence. */
export function describeFailure(failure: Failure, stderr: string): string {
  switch (failure.kind) {
    case 'threw':
      return `the trial threw: ${failure.message}`;
    case 'timeout':
      return `the trial ran past its limit of ${failure.seconds} s and was stopped`;
    case 'protocol':
      return `the worker broke the protocol: ${failure.message}`;
    case 'slurm':
      return failure.reason;
    case 'died': {
      if (OUT_OF_MEMORY.test(stderr)) return 'the worker ran out of memory (JavaScript heap limit reached)';
      if (failure.signal === 'SIGKILL') return "the worker was killed by SIGKILL (the kernel's out-of-memory killer, or a kill from outside)";
      if (failure.signal !== undefined) return `the worker was killed by ${failure.signal}`;
      return `the worker exited with code ${failure.exitCode ?? 'unknown'} in the middle of the trial`;
    }
    default:
      throw new Error(`failure kind not recognised: ${JSON.stringify(failure satisfies never)}`);
  }
}

/** The last lines of a log (without a trailing empty line). */
export function tail(log: string, lines: number): string {
  const all = log.replace(/\n$/, '').split('\n');
  return all.slice(-lines).join('\n');
}

/** What the parent knows of a trial that did not finish on its own. */
export interface FailureContext {
  started: Date;
  finished: Date;
  steps: number; // steps whose metrics rows were written before it ended (they are kept)
  progress: Progress | undefined; // the last progress the worker reported
  backend: string; // as asked for (the worker never said which one it got)
  stderr: string;
}

/** summary.json of a failed trial: status failed, the reason, the error with the stderr tail; what was not measured is 0 or empty. */
export function failedSummary(trial: Trial, failure: Failure, context: FailureContext): Summary {
  const reason = describeFailure(failure, context.stderr);
  const parts = [failure.kind === 'threw' ? failure.stack : reason];
  if (context.stderr.trim() !== '') parts.push(`stderr (last ${STDERR_TAIL_LINES} lines):\n${tail(context.stderr, STDERR_TAIL_LINES)}`);
  const seconds = (context.finished.getTime() - context.started.getTime()) / 1000;
  return {
    id: trial.id,
    status: 'failed',
    reason,
    error: parts.join('\n\n'),
    steps: context.steps,
    steps_planned: trial.config.train.steps,
    final: { train_loss: null, dev_loss: null, test_loss: null },
    steps_per_s: context.progress?.steps_per_s ?? 0,
    seconds,
    train_seconds: seconds,
    engine: trial.config.engine, // the engine it was to train with (a fallback to tfjs is on its stderr)
    backend: context.backend,
    backend_version: '',
    params: 0,
    seed: trial.config.seed,
    vocab: '',
    words: { train: 0, dev: 0, test: 0 },
    examples: { train: 0, dev: 0, test: 0 },
    reference: { uniform: 0, bigram: 0 },
    started_at: context.started.toISOString(),
    finished_at: context.finished.toISOString(),
  };
}
