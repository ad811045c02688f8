// The worker side of the protocol (see protocol.ts): wait for trials, train each, report progress and the result.
import { getEachMessage, sendMessage } from 'execa';
import type { TrainOptions, Trial, TrialOutput } from '../types.js';
import { isParentMessage, type TrialMessage, type WorkerMessage } from './protocol.js';

/** What a worker runs for one trial: the real one wraps trainTrial; test fixtures stand in their own. */
export type TrainFn = (trial: Trial, options: TrainOptions) => Promise<TrialOutput>;

/** Serve trials until the parent says exit (or goes away), then end the process. */
export async function serveTrials(train: TrainFn): Promise<never> {
  // Ctrl-C in a terminal reaches the whole process group; the parent decides, and kills workers itself.
  process.on('SIGINT', () => {});
  // The parent is gone (even SIGKILLed): nobody is left to report to.
  process.on('disconnect', () => process.exit(0));

  const messages = getEachMessage();
  const first = messages.next(); // listen before the parent can send anything
  await send({ type: 'ready', pid: process.pid, load_seconds: process.uptime() });
  for (let next = await first; next.done !== true; next = await messages.next()) {
    const message = next.value;
    if (!isParentMessage(message)) throw new Error(`worker ${process.pid}: not a message of the protocol: ${JSON.stringify(message)}`);
    switch (message.type) {
      case 'trial':
        await runTrial(train, message);
        break;
      case 'exit':
        process.exit(0);
      default:
        throw new Error(`worker ${process.pid}: message type not recognised: ${JSON.stringify(message satisfies never)}`);
    }
  }
  process.exit(0);
}

async function runTrial(train: TrainFn, { trial, backend }: TrialMessage): Promise<void> {
  const id = trial.id;
  try {
    const onProgress: TrainOptions['onProgress'] = (progress) => void send({ type: 'progress', id, progress }).catch(() => {});
    const output = await train(trial, { id, backend, onProgress });
    await send({ type: 'result', id, output });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    await send({ type: 'error', id, error: { message: e.message, stack: e.stack ?? e.message } });
  }
}

function send(message: WorkerMessage): Promise<void> {
  return sendMessage(message as unknown as Parameters<typeof sendMessage>[0]);
}
