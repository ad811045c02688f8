// What checkpoints cost at the lecture's configuration (block 3, embedding 10, hidden 200, batch 32, fused loss).
//
// usage: node dist/bench/checkpoint.js [--steps 130000] [--rounds 2] [--repeat 200]
//
// 1. The parts, measured alone (`--repeat` times each, median): what the worker does at a checkpoint while training
//    waits (the trainer's state: the weights read back from the backend and every generator's state; its structured
//    clone for the IPC message), and what the parent does meanwhile in its own process (metrics.jsonl flushed with
//    fdatasync, checkpoint.json written whole); and that as a share of the default interval's training time (auto:
//    about a minute at the planned speed, src/train/cost.ts) at this machine's measured speed.
// 2. The whole pipeline, end to end: run-exp on one trial of `--steps` steps with checkpoint.every never, auto and 500
//    (a checkpoint every chunk: the upper bound), in turns, `--rounds` times: the trial's wall-clock seconds, and the
//    CPU seconds of run-exp and its worker together (/usr/bin/time: less swayed by other work on the machine).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { TrialWriter } from '../src/store/trial-files.js';
import { initBackend } from '../src/train/backend.js';
import { checkpointInterval, stepSeconds } from '../src/train/cost.js';
import { buildDataset, loadWords } from '../src/train/data.js';
import { trialDraws } from '../src/train/draws.js';
import { disposeParams, initParams } from '../src/train/model.js';
import { Trainer } from '../src/train/trial.js';
import type { Trial } from '../src/types.js';
import { lectureConfig, lectureData } from './lecture.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '130000' }, rounds: { type: 'string', default: '2' }, repeat: { type: 'string', default: '200' } } });
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/run-exp.js');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};
const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-bench-checkpoint-'));
console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
try {
  await parts(Number(values.repeat));
  await endToEnd(Number(values.steps), Number(values.rounds));
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** Part 1: the worker's share and the parent's, per checkpoint, and against the default interval. */
async function parts(repeat: number): Promise<void> {
  const config = { ...lectureConfig(2000, 0.1, lectureData()), eval: { every: 1000, splits: ['train' as const, 'dev' as const] } };
  const backend = await initBackend('auto');
  const data = buildDataset(await loadWords(config.data), config.data, config.model.block_size, config.rng);
  const draws = trialDraws(config.seed, config.rng);
  const params = initParams(draws.init, data.vocab.length, config.model);
  const trainer = new Trainer(config, data, params, draws, { backend: backend.name });
  await trainer.runTo(500); // warm: the backend's kernels compiled, the caches full
  const t0 = performance.now();
  await trainer.runTo(2000);
  const speed = 1500 / ((performance.now() - t0) / 1000);
  const capture: number[] = [];
  const clone: number[] = [];
  for (let i = 0; i < repeat; i++) {
    let t = performance.now();
    const state = trainer.state();
    capture.push((performance.now() - t) / 1000);
    t = performance.now();
    v8.serialize(state);
    clone.push((performance.now() - t) / 1000);
  }
  const state = trainer.state();
  const trial: Trial = { id: 'bench', index: 0, params: {}, repeat: 0, config };
  const writer = new TrialWriter(path.join(dir, 'parts', 'bench'), trial);
  writer.metrics(Array.from({ length: 1000 }, (_, step) => ({ step, lr: 0.1, loss: 2.5 + step / 1e6 })));
  await writer.settle();
  const write: number[] = [];
  for (let i = 0; i < repeat; i++) {
    writer.metrics([{ step: 1000 + i, lr: 0.1, loss: 2.5 }]);
    const t = performance.now();
    await writer.checkpoint(state);
    write.push((performance.now() - t) / 1000);
  }
  const bytes = (await readFile(path.join(dir, 'parts', 'bench', 'checkpoint.json'))).length;
  trainer.finish();
  disposeParams(params);
  const every = checkpointInterval('auto', config.model, 32, data.vocab.length, config.engine, 500)!;
  const worker = median(capture) + median(clone);
  const interval = every / speed;
  console.log(`\n1. one checkpoint of the lecture's net (${data.vocab.length}-character vocabulary, ${backend.name}), median of ${repeat}`);
  console.log(`   worker, while training waits: the state ${ms(median(capture))}, its structured clone for IPC ${ms(median(clone))}`);
  console.log(`   parent, in its own process: fdatasync of metrics.jsonl and checkpoint.json written whole ${ms(median(write))} (${(bytes / 1024).toFixed(0)} KB)`);
  console.log(`   the default interval: every ${every.toLocaleString('en-US')} steps (a minute at the ${config.engine} engine's planned ${(1 / stepSeconds(config.model, 32, data.vocab.length, config.engine)).toFixed(0)} steps/s); here ${speed.toFixed(0)} steps/s, so ${interval.toFixed(1)} s of training`);
  const share = (x: number) => `${((x / interval) * 100).toPrecision(2)} %`;
  console.log(`   share of training time: the worker's ${share(worker)}; with the parent's write too (as if it took the same core) ${share(worker + median(write))}`);
}

/** Part 2: run-exp end to end, checkpoint.every never / auto / 500, in turns. */
async function endToEnd(steps: number, rounds: number): Promise<void> {
  const file = path.join(dir, 'lecture.yaml');
  const data = lectureData();
  const dataLine = data.file === undefined ? 'data: {builtin: names}' : `data: {file: ${JSON.stringify(data.file)}}`;
  await writeFile(file, ['name: lecture', dataLine, 'model: {block_size: 3, embed_dim: 10, hidden: 200}', `train: {steps: ${steps}, batch_size: 32, lr: 0.1}`, `eval: {every: ${steps}}`, 'sample: 0', ''].join('\n'));
  const arms = ['never', 'auto', '500'];
  const wall = new Map<string, number[]>(arms.map((a) => [a, []]));
  const cpu = new Map<string, number[]>(arms.map((a) => [a, []]));
  console.log(`\n2. run-exp end to end, one trial of ${steps.toLocaleString('en-US')} steps (checkpoint.every never / auto / 500, in turns): the trial's wall-clock seconds, run-exp's CPU seconds with its worker's`);
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    for (const every of arms) {
      const out = path.join(dir, `e2e-${every}-${r}`);
      const { stdout, cpuSeconds } = await runExp([file, '--out', out, '--jobs', '1', '--json', '--quiet', '--set', `checkpoint.every=${every}`]);
      const trial = (JSON.parse(stdout) as { trials: { seconds: number; steps_per_s: number }[] }).trials[0]!;
      wall.get(every)!.push(trial.seconds);
      cpu.get(every)!.push(cpuSeconds);
      line.push(`${every} ${trial.seconds.toFixed(1)} s, ${cpuSeconds.toFixed(1)} s CPU`);
    }
    console.log(`   round ${r + 1}: ${line.join('; ')}`);
  }
  const against = (m: Map<string, number[]>, every: string) => `${(((median(m.get(every)!) - median(m.get('never')!)) / median(m.get('never')!)) * 100).toFixed(2)} %`;
  for (const every of ['auto', '500']) console.log(`   median ${every} against never: wall clock ${against(wall, every)}, CPU ${against(cpu, every)}`);
}

/** run-exp with these arguments under /usr/bin/time; resolves to its stdout (it must exit 0) and the CPU seconds of it and its workers. */
function runExp(args: string[]): Promise<{ stdout: string; cpuSeconds: number }> {
  const times = path.join(dir, 'time.txt');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', times, '-f', '%U %S', process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`run-exp ${args.join(' ')} exited ${code}:\n${stderr}`));
      readFile(times, 'utf8').then((t) => resolve({ stdout, cpuSeconds: t.trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0) }), reject);
    });
  });
}
