// The lecture's configuration as a trial, the training loop timed on it, and the PyTorch reference run.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Lr } from '../src/config/schema.js';
import { trainTrial } from '../src/train/trial.js';
import type { BackendName, FinalLosses, ResolvedData, TrialConfig } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The lecture's 32,033 names (outside the project; the built-in set stands in when absent). */
export const NAMES = path.resolve(ROOT, '../shared/data/names.txt');
/** The PyTorch reference (one thread, same data, same dimensions, same SGD). */
export const TORCH_MLP = path.resolve(ROOT, '../shared/bench/torch_mlp.py');
const PYTHON = '/usr/bin/python3';

/** names.txt when present, else the built-in names; the lecture's 80/10/10 split. */
export function lectureData(file = NAMES): ResolvedData {
  const split = { train: 0.8, dev: 0.1, test: 0.1 };
  if (!existsSync(file)) return { builtin: 'names', split, shuffle_seed: 42 };
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  return { file, sha256, split, shuffle_seed: 42 };
}

/** The lecture's final network: block 3, embedding 10, hidden 200, batch 32, fused loss, on the kernel engine. */
export function lectureConfig(steps: number, lr: Lr, data: ResolvedData = lectureData()): TrialConfig {
  return {
    seed: 2147483647,
    rng: 'streams',
    data,
    model: { block_size: 3, embed_dim: 10, hidden: 200 },
    loss: 'fused',
    engine: 'kernel',
    train: { steps, batch_size: 32, lr },
    eval: { every: steps, splits: ['train', 'dev', 'test'] },
    sample: 0,
  };
}

/** One timed training run of ours (trainTrial itself), with its loop's CPU time too. */
export interface OurResult {
  engine: string; // the engine that trained (the kernel's fallback: tfjs, with the reason)
  engine_fallback?: string;
  backend: { name: string; version: string }; // as the summary says: wasm, "tfjs 4.22.0, tfjs-backend-wasm 4.22.0 (simd, 1 thread)"
  steps_per_s: number; // wall clock
  cpu_steps_per_s: number; // steps per CPU second of the loop
  seconds: number;
  final: FinalLosses;
  peak_bytes: number;
  status: string;
}

/** Train `config` as a trial does (trainTrial, in this process) and time its loop. */
export async function runOurs(config: TrialConfig, backend: BackendName): Promise<OurResult> {
  const { summary } = await trainTrial(config, { id: 'bench', backend });
  return {
    engine: summary.engine,
    ...(summary.engine_fallback === undefined ? {} : { engine_fallback: summary.engine_fallback }),
    backend: { name: summary.backend, version: summary.backend_version },
    steps_per_s: summary.steps_per_s,
    cpu_steps_per_s: summary.steps / summary.train_cpu_seconds!,
    seconds: summary.train_seconds,
    final: summary.final,
    peak_bytes: summary.peak_bytes ?? 0,
    status: summary.status,
  };
}

/** What torch_mlp.py prints, plus its loop's CPU time. */
export interface TorchResult {
  words: number;
  examples: number[];
  params: number;
  steps: number;
  train: number;
  dev: number;
  test: number;
  seconds: number;
  steps_per_s: number;
  torch: string;
  threads: number;
  cpu_seconds: number;
  cpu_steps_per_s: number;
}

/** Whether /usr/bin/python3 can import torch (and the reference script and names.txt are there). */
export async function torchAvailable(): Promise<boolean> {
  if (!existsSync(TORCH_MLP) || !existsSync(NAMES)) return false;
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import torch']);
    return true;
  } catch {
    return false;
  }
}

// Runs torch_mlp.py unchanged, and also measures its training loop's CPU time: the script times the loop with
// time.time(), so a CPU clock read beside every time.time() call sees exactly the same loop. The loop's pair of
// calls is the last one (t0, then dt); imports may call time.time() before, so the pair is checked against the
// script's own seconds.
const TORCH_WRAPPER = `
import json, runpy, sys, time
wall, cpu = time.time, time.process_time
marks = []
def clock():
    marks.append((wall(), cpu()))
    return marks[-1][0]
time.time = clock
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
sys.stdout.flush()
(w0, c0), (w1, c1) = marks[-2], marks[-1]
print(json.dumps({"loop_wall": w1 - w0, "cpu_seconds": c1 - c0}))
`;

/** Run torch_mlp.py on names.txt with one thread; `decayAt` ≥ steps means a constant lr; the lecture's net unless `size` says. */
export async function runTorch(steps: number, lr: number, decayAt: number, decayLr: number, size = { hidden: 200, batch: 32 }): Promise<TorchResult> {
  const args = ['-c', TORCH_WRAPPER, TORCH_MLP, NAMES, '--steps', String(steps), '--lr', String(lr)];
  args.push('--decay-at', String(decayAt), '--decay-lr', String(decayLr));
  args.push('--block', '3', '--emb', '10', '--hidden', String(size.hidden), '--batch', String(size.batch), '--threads', '1');
  const { stdout } = await promisify(execFile)(PYTHON, args, { maxBuffer: 1 << 20 });
  const lines = stdout.trim().split('\n');
  const { loop_wall, cpu_seconds } = JSON.parse(lines.pop()!) as { loop_wall: number; cpu_seconds: number };
  const result = JSON.parse(lines.pop()!) as Omit<TorchResult, 'cpu_seconds' | 'cpu_steps_per_s'>;
  if (Math.abs(loop_wall - result.seconds) > 0.02) {
    throw new Error(`torch_mlp.py: expected the last two time.time() calls to time its loop (${result.seconds} s), found ${loop_wall.toFixed(3)} s apart`);
  }
  return { ...result, cpu_seconds, cpu_steps_per_s: steps / cpu_seconds };
}
