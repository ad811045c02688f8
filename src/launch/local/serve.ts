// The worker side of the protocol (see protocol.ts): wait for trials, train each, report progress and the result.
// The parent speaks through execa's IPC; here, Node's own channel (process.send / 'message') is all it takes, with the
// same structured-clone serialisation, and the worker starts faster without importing execa (~0.3 s a process).
import { on } from 'node:events';
import type { MetricRow, TrainOptions, Trial, TrialOutput, Verdict } from '../../types.js';
import { InFlight } from '../in-flight.js';
import { endWithParent } from './parent-watch.js';
import { isParentMessage, type TrialMessage, type WorkerMessage } from './protocol.js';

/** What a worker runs for one trial: the real one wraps trainTrial; test fixtures stand in their own. */
export type TrainFn = (trial: Trial, options: TrainOptions) => Promise<TrialOutput>;

/** Serve trials until the parent says exit (or goes away), then end the process. */
export async function serveTrials(train: TrainFn): Promise<never> {
  if (process.send === undefined) throw new Error('serveTrials: this process has no IPC channel; run-exp starts its workers itself');
  // Ctrl-C in a terminal reaches the whole process group; the parent decides, and kills workers itself.
  process.on('SIGINT', () => {});
  // The parent is gone (even SIGKILLed): nobody is left to report to. 'disconnect' needs a turn of the event loop,
  // which a training step may hold for seconds: a thread of the worker's own ends it then (parent-watch.ts).
  process.on('disconnect', () => process.exit(0));
  if (!process.connected) process.exit(0); // it closed while this worker loaded
  endWithParent();

  const messages = on(process, 'message'); // listening before the parent can send anything
  // A signal reached the parent: it asks the trial for a checkpoint at its next chunk boundary, after which the trial
  // trains no more. Heard from the start: a pause read together with its trial must not wait in `messages`.
  process.on('message', (m: unknown) => void (isParentMessage(m) && m.type === 'pause' && paused.add(m.id)));
  process.on('message', (m: unknown) => void (isParentMessage(m) && m.type === 'written' && unwritten[0]?.id === m.id && unwritten.shift()!.resolve())); // in order: one queue writes them
  await send({ type: 'ready', pid: process.pid, load_seconds: process.uptime() });
  for await (const [message] of messages) {
    if (!isParentMessage(message)) throw new Error(`worker ${process.pid}: not a message of the protocol: ${JSON.stringify(message)}`);
    switch (message.type) {
      case 'trial':
        await runTrial(train, message);
        break;
      case 'verdict':
      case 'pause':
      case 'written':
        break; // taken by the trial it was for (see runTrial); a late one is of no use now
      case 'exit':
        process.exit(0);
      default:
        throw new Error(`worker ${process.pid}: message type not recognised: ${JSON.stringify(message satisfies never)}`);
    }
  }
  process.exit(0);
}

/** Ask the parent whether the trial goes on after its evaluation at `step`; resolves with its verdict. */
function verdictFor(id: string, step: number): Promise<Verdict> {
  return new Promise((resolve) => {
    const listener = (message: unknown) => {
      if (!isParentMessage(message) || message.type !== 'verdict' || message.id !== id || message.step !== step) return;
      process.off('message', listener);
      resolve(message.verdict);
    };
    process.on('message', listener);
    send({ type: 'evaluated', id, step }).catch(() => {}); // a parent that is gone ends this process
  });
}

/** The trials the parent asked to pause (see serveTrials). */
const paused = new Set<string>();

/** The metrics messages sent whose `written` has not come yet, oldest first (one trial runs at a time). */
const unwritten: { id: string; resolve: () => void }[] = [];

/** Send a chunk's rows; resolves when the parent says they are written. */
function sendMetrics(id: string, rows: MetricRow[]): Promise<void> {
  const written = new Promise<void>((resolve) => unwritten.push({ id, resolve }));
  send({ type: 'metrics', id, rows }).catch(() => {}); // a parent that is gone ends this process
  return written;
}

async function runTrial(train: TrainFn, message: TrialMessage): Promise<void> {
  const { trial, backend } = message;
  const id = trial.id;
  const written = new InFlight(); // the trainer waits while CHUNKS_IN_FLIGHT chunks' rows are unwritten
  try {
    const options: TrainOptions = {
      id,
      backend,
      onProgress: (progress) => void send({ type: 'progress', id, progress }).catch(() => {}),
      onMetrics: (rows) => written.add(sendMetrics(id, rows)),
      onDiagnostics: (rows) => void send({ type: 'diagnostics', id, rows }).catch(() => {}),
      ...(message.early_stop ? { onEvaluated: (step: number) => verdictFor(id, step) } : {}),
      ...(message.resume === undefined ? {} : { resume: message.resume }),
      onStart: (start) => void send({ type: 'started', id, start }).catch(() => {}),
      checkpointEvery: message.checkpoint_every,
      onCheckpoint: async (state) => {
        const last = paused.has(id);
        await send({ type: 'checkpoint', id, state, last }).catch(() => {});
        if (last) await new Promise<never>(() => {}); // the parent stops this worker now (or, gone, ends it: 'disconnect')
      },
      checkpointNow: () => paused.has(id),
    };
    const output = await train(trial, options);
    await send({ type: 'result', id, output });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    await send({ type: 'error', id, error: { message: e.message, stack: e.stack ?? e.message } });
  } finally {
    paused.delete(id);
    unwritten.length = 0; // the trial is over: answers still to come for its last rows are of no use
  }
}

/** Send a message to the parent; resolves once it is handed to the channel. */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}
