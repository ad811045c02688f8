// A pool of warm worker processes: `jobs` slots, each takes the next trial and hands it to its worker.
// A worker that finished a trial well takes the next one (TF.js stays loaded); a worker whose trial failed is
// replaced by a fresh process, so a leak or a broken state cannot spill over into the next trial.
// On the signal, each running trial is asked for a checkpoint at its next chunk boundary (PAUSE_GRACE_MS at most),
// then its worker is killed; one that cannot answer in time is killed then, and its previous checkpoint stands.
import { execaNode } from 'execa';
import type { BackendName, CheckpointEvery, DiagnosticsRow, MetricRow, Progress, TrainState, Trial, TrialStart, Verdict } from '../../types.js';
import type { Ending } from '../recorder.js';
import { PARENT_ENV } from './parent-watch.js';
import { setLongTimeout } from './timer.js';
import { isWorkerMessage, type ParentMessage, type ReadyMessage, type WorkerMessage } from './protocol.js';

/** After the signal, how long a running trial has to reach a chunk boundary and send its checkpoint (the run promises exit 130 within 3 s). */
export const PAUSE_GRACE_MS = 2000;

/** How a trial ended, as the pool saw it; an interrupted one `saved` a checkpoint on the signal, or did not answer in time. */
export type Outcome = Ending | { kind: 'interrupted'; saved: boolean };

/** A trial that ended, with what the parent knows about it. */
export interface Ended {
  trial: Trial;
  outcome: Outcome;
  started: Date;
  finished: Date;
  progress: Progress | undefined; // the last one reported
  log: string; // what the worker wrote on stdout and stderr while it had this trial (and, for its first, while starting)
  worker: { pid: number | undefined; load_seconds: number | undefined; trials: number }; // trials: run by this process so far
}

/** How the pool runs its workers. */
export interface PoolOptions {
  jobs: number;
  workerPath: string; // the worker's module (src/launch/local/worker.ts compiled, or a test fixture)
  execArgv: string[]; // node flags of the workers
  backend: BackendName;
  timeoutSeconds?: number; // per trial, from the moment the trial is handed to a ready worker
  signal: AbortSignal; // aborted: running trials checkpoint (PAUSE_GRACE_MS at most), then every worker is killed; they end as interrupted
  earlyStop?: boolean; // workers wait for events.evaluated's verdict after each evaluation
  checkpointEvery?: CheckpointEvery; // steps between checkpoints (default auto); never: none, and none on the signal either
  pause?: (reason: unknown) => boolean; // on the abort, whether running trials checkpoint first (default yes; never: no)
}

/** What the pool tells its caller about each trial, in order: start, started, progress, metrics and checkpoints …, end. */
export interface PoolEvents {
  /** The trial is about to go to a worker: awaited (the place to begin its files), with the checkpoint it goes on from, if any. */
  start(trial: Trial): Promise<{ resume?: TrainState }>;
  /** The worker set the trial up: from step 0, or from the checkpoint. */
  started(trial: Trial, start: TrialStart): void;
  progress(trial: Trial, progress: Progress): void;
  /** A chunk's rows of metrics.jsonl, in step order, as the worker sent them; resolves once written (the worker then sends more). */
  metrics(trial: Trial, rows: MetricRow[]): void | Promise<void>;
  /** A chunk's rows of diagnostics.jsonl (diagnostics.every), as the worker sent them, before the chunk's metrics. */
  diagnostics?(trial: Trial, rows: DiagnosticsRow[]): void;
  /** A checkpoint, after the rows it covers (in the order the worker sent them). */
  checkpoint(trial: Trial, state: TrainState): void;
  /** Early stopping (PoolOptions.earlyStop): the trial was evaluated at `step`; it waits for this verdict. */
  evaluated?(trial: Trial, step: number): Verdict;
  /** Awaited before the slot takes its next trial: the place to write the trial's files. Not called for interrupted trials. */
  end(ended: Ended): Promise<void>;
  /** The signal stopped the trial before its end: it stays unfinished; `saved`: it sent the checkpoint the signal asked for. */
  interrupted(trial: Trial, saved: boolean): void;
}

/** Run the trials, `jobs` at a time, until all have ended or the signal aborts. Resolves when every worker has exited. */
export async function runPool(trials: Trial[], options: PoolOptions, events: PoolEvents): Promise<void> {
  const queue = [...trials];
  const live = new Set<WorkerProcess>();
  const onAbort = () => {
    const pause = options.checkpointEvery !== 'never' && options.pause?.(options.signal.reason) !== false;
    live.forEach((w) => w.interrupt(pause));
  };
  options.signal.addEventListener('abort', onAbort);
  // The parent ends in the middle (an uncaught error, process.exit): its workers, in their own sessions, go too.
  const onExit = () => live.forEach((w) => w.killNow());
  process.on('exit', onExit);

  const slot = async () => {
    let worker: WorkerProcess | undefined;
    try {
      for (let trial = queue.shift(); trial !== undefined && !options.signal.aborted; trial = queue.shift()) {
        if (worker === undefined || worker.exited) {
          worker = new WorkerProcess(options.workerPath, options.execArgv);
          live.add(worker);
        }
        const { resume } = await events.start(trial);
        if (options.signal.aborted) {
          events.interrupted(trial, false); // the signal came while its files began: it stays as it was
          break;
        }
        const current = trial;
        const ended = await worker.run(trial, resume, options, {
          started: (start) => events.started(current, start),
          progress: (p) => events.progress(current, p),
          metrics: (rows) => events.metrics(current, rows),
          diagnostics: (rows) => events.diagnostics?.(current, rows),
          checkpoint: (state) => events.checkpoint(current, state),
          evaluated: (step) => events.evaluated?.(current, step) ?? { stop: false },
        });
        if (ended.outcome.kind === 'interrupted') {
          events.interrupted(trial, ended.outcome.saved);
          break;
        }
        await events.end(ended);
        if (ended.outcome.kind === 'failed') {
          await worker.kill();
          live.delete(worker);
          worker = undefined;
        }
      }
    } finally {
      if (worker !== undefined) {
        await (options.signal.aborted ? worker.kill() : worker.close());
        live.delete(worker);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, trials.length)) }, slot));
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    process.off('exit', onExit);
  }
}

/** How long a worker may take to leave after `exit` before it is killed. */
const CLOSE_GRACE_MS = 2000;
/** A worker's output kept per trial, at most (its end matters: the error is there). */
const LOG_LIMIT = 1 << 20;

/** Start a worker process: node with IPC (structured messages both ways), its output piped to us. */
function spawnWorker(workerPath: string, execArgv: string[]) {
  return execaNode(workerPath, [], {
    nodeOptions: execArgv,
    ipc: true,
    serialization: 'advanced', // structured clone: large arrays of numbers cross without JSON text
    stdin: 'ignore',
    stdout: 'pipe', // never ours: stdout may carry the --json document
    stderr: 'pipe',
    buffer: false,
    reject: false, // a dead worker is a value (exitCode, signal), not an exception
    // Its own session (setsid): the terminal's Ctrl-C reaches only the parent, which decides; and where the kernel
    // groups CPU time by session (sched_autogroup), each worker gets its own share instead of splitting the parent's,
    // so --jobs 2 is two cores' worth on a busy machine too. A worker ends itself when its parent is gone (parent-watch.ts).
    detached: true,
    env: { FORCE_COLOR: '0', [PARENT_ENV]: String(process.pid) },
  });
}

/** What the worker reports of the trial it runs, as it runs. */
interface TrialListeners {
  started(start: TrialStart): void;
  progress(p: Progress): void;
  metrics(rows: MetricRow[]): void | Promise<void>;
  diagnostics(rows: DiagnosticsRow[]): void;
  checkpoint(state: TrainState): void;
  evaluated(step: number): Verdict;
}

/** One worker process and the trial it runs. */
class WorkerProcess {
  private readonly subprocess: ReturnType<typeof spawnWorker>;
  private readonly ready: Promise<ReadyMessage | undefined>;
  private readonly done: Promise<void>;
  private log = '';
  private trials = 0;
  private loadSeconds: number | undefined;
  private lastProgress: Progress | undefined;
  private current: { trial: Trial; on: TrialListeners; finish: (o: Outcome) => void } | undefined;
  private interrupted = false;
  private pausing: NodeJS.Timeout | undefined; // after the signal: the kill of a worker that sends no checkpoint in time
  exited = false;

  constructor(workerPath: string, execArgv: string[]) {
    const subprocess = spawnWorker(workerPath, execArgv);
    this.subprocess = subprocess;
    const keep = (chunk: string) => {
      this.log += chunk;
      if (this.log.length > 2 * LOG_LIMIT) this.log = `[… earlier output cut: only the last ${LOG_LIMIT} characters are kept]\n` + this.log.slice(-LOG_LIMIT);
    };
    subprocess.stdout.setEncoding('utf8').on('data', keep);
    subprocess.stderr.setEncoding('utf8').on('data', keep);
    let resolveReady!: (m: ReadyMessage | undefined) => void;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    const messages = (async () => {
      for await (const message of subprocess.getEachMessage()) this.receive(message, resolveReady);
    })().catch(() => {}); // the iteration ends (or breaks) when the process goes; the exit below says why
    this.done = subprocess.then(async (result) => {
      await messages;
      this.exited = true;
      clearTimeout(this.pausing);
      resolveReady(undefined);
      this.current?.finish({ kind: 'failed', failure: { kind: 'died', exitCode: result.exitCode, signal: result.signal } });
    });
  }

  /** Hand the trial to this worker once it is ready; resolves when the trial has ended, however it ended. */
  async run(trial: Trial, resume: TrainState | undefined, options: PoolOptions, on: TrialListeners): Promise<Ended> {
    const ready = await this.ready;
    const started = new Date();
    let timer: { clear(): void } | undefined;
    const outcome = await new Promise<Outcome>((resolve) => {
      const finish = (o: Outcome) => {
        timer?.clear();
        this.current = undefined;
        resolve(this.interrupted && o.kind === 'failed' ? { kind: 'interrupted', saved: false } : o); // a result that came after the signal stands
      };
      this.current = { trial, on, finish };
      if (ready === undefined || this.interrupted) {
        // The worker died while starting (or we are stopping): the exit has been seen already.
        return this.done.then(() => finish({ kind: 'failed', failure: { kind: 'died', exitCode: this.subprocess.exitCode ?? undefined, signal: this.subprocess.signalCode ?? undefined } }));
      }
      if (options.timeoutSeconds !== undefined) {
        const seconds = options.timeoutSeconds;
        timer = setLongTimeout(() => {
          this.subprocess.kill('SIGKILL');
          finish({ kind: 'failed', failure: { kind: 'timeout', seconds } });
        }, seconds * 1000);
      }
      this.send({ type: 'trial', trial, backend: options.backend, early_stop: options.earlyStop === true, checkpoint_every: options.checkpointEvery ?? 'auto', ...(resume === undefined ? {} : { resume }) });
    });
    if (outcome.kind === 'failed' && outcome.failure.kind !== 'threw') await this.done; // killed: wait for its last stderr
    const progress = this.lastProgress;
    this.lastProgress = undefined;
    const log = this.log;
    this.log = '';
    this.trials += 1;
    return { trial, outcome, started, finished: new Date(), progress, log, worker: { pid: this.subprocess.pid, load_seconds: this.loadSeconds, trials: this.trials } };
  }

  /**
   * The signal: with `pause`, the running trial is asked for a checkpoint at its next chunk boundary and the worker is
   * killed once it is sent, or after PAUSE_GRACE_MS; else (or with no trial running) it is killed at once. The trial
   * ends as interrupted, saying whether it saved a checkpoint.
   */
  interrupt(pause: boolean): void {
    this.interrupted = true;
    const current = this.current;
    if (!pause || current === undefined) {
      this.subprocess.kill('SIGKILL');
      current?.finish({ kind: 'interrupted', saved: false });
      return;
    }
    this.send({ type: 'pause', id: current.trial.id });
    this.pausing = setTimeout(() => {
      this.subprocess.kill('SIGKILL');
      this.current?.finish({ kind: 'interrupted', saved: false });
    }, PAUSE_GRACE_MS);
  }

  /** SIGKILL, without waiting (for the parent's last moments). */
  killNow(): void {
    if (!this.exited) this.subprocess.kill('SIGKILL');
  }

  /** Kill the process and wait until it is gone. */
  async kill(): Promise<void> {
    if (!this.exited) this.subprocess.kill('SIGKILL');
    await this.done;
  }

  /** Ask the worker to leave; kill it if it has not after a grace period. */
  async close(): Promise<void> {
    if (!this.exited) this.send({ type: 'exit' });
    const timer = setTimeout(() => this.subprocess.kill('SIGKILL'), CLOSE_GRACE_MS);
    await this.done;
    clearTimeout(timer);
  }

  private send(message: ParentMessage): void {
    if (!this.subprocess.connected) return; // gone (execa would throw): a dead worker is seen by its exit
    this.subprocess.sendMessage(message as unknown as Parameters<ReturnType<typeof spawnWorker>['sendMessage']>[0]).catch(() => {}); // a dead worker is seen by its exit
  }

  private receive(message: unknown, resolveReady: (m: ReadyMessage) => void): void {
    if (!isWorkerMessage(message)) return this.breach(`not a message of the protocol: ${JSON.stringify(message)?.slice(0, 200)}`);
    const current = this.current;
    const m: WorkerMessage = message;
    switch (m.type) {
      case 'ready':
        this.loadSeconds = m.load_seconds;
        return resolveReady(m);
      case 'started':
        if (current?.trial.id !== m.id) return this.breach(`a start of trial ${m.id}, which it was not running`);
        return current.on.started(m.start);
      case 'progress':
        if (current?.trial.id !== m.id) return;
        this.lastProgress = m.progress;
        return current.on.progress(m.progress);
      case 'metrics': {
        // Answered once written: the worker has CHUNKS_IN_FLIGHT unanswered at most (a late one's are not written, and answered too).
        const written = current?.trial.id === m.id ? current.on.metrics(m.rows) : undefined;
        return void Promise.resolve(written).then(() => this.send({ type: 'written', id: m.id }));
      }
      case 'diagnostics':
        if (current?.trial.id !== m.id) return;
        return current.on.diagnostics(m.rows);
      case 'checkpoint':
        if (current?.trial.id !== m.id) return this.breach(`a checkpoint of trial ${m.id}, which it was not running`);
        current.on.checkpoint(m.state);
        if (!m.last) return;
        // The checkpoint the signal asked for: handed to the parent's writer above; the worker trains no more.
        clearTimeout(this.pausing);
        this.subprocess.kill('SIGKILL');
        return current.finish({ kind: 'interrupted', saved: true });
      case 'evaluated':
        if (current?.trial.id !== m.id) return this.breach(`an evaluation of trial ${m.id}, which it was not running`);
        return this.send({ type: 'verdict', id: m.id, step: m.step, verdict: current.on.evaluated(m.step) });
      case 'result':
        if (current?.trial.id !== m.id) return this.breach(`a result for trial ${m.id}, which it was not running`);
        return current.finish({ kind: 'output', output: m.output });
      case 'error':
        if (current?.trial.id !== m.id) return this.breach(`an error for trial ${m.id}, which it was not running`);
        return current.finish({ kind: 'failed', failure: { kind: 'threw', message: m.error.message, stack: m.error.stack } });
      default:
        throw new Error(`worker message type not recognised: ${JSON.stringify(m satisfies never)}`);
    }
  }

  private breach(message: string): void {
    this.subprocess.kill('SIGKILL');
    this.current?.finish({ kind: 'failed', failure: { kind: 'protocol', message } });
  }
}
