// The lecture's configuration as a trial, and the PyTorch reference run with the same settings.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Lr } from '../src/config/schema.js';
import type { ResolvedData, TrialConfig } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The lecture's 32,033 names (outside the project; the built-in set stands in when absent). */
export const NAMES = path.resolve(ROOT, '../shared/data/names.txt');
/** The PyTorch reference (one thread, same data, same dimensions, same SGD). */
export const TORCH_MLP = path.resolve(ROOT, '../shared/bench/torch_mlp.py');
const PYTHON = '/usr/bin/python3';

/** names.txt when present, else the built-in names. */
export function lectureData(file = NAMES): ResolvedData {
  const split = { train: 0.8, dev: 0.1, test: 0.1 };
  if (!existsSync(file)) return { builtin: 'names', split, shuffle_seed: 42 };
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  return { file, sha256, split, shuffle_seed: 42 };
}

/** The lecture's final network: block 3, embedding 10, hidden 200, batch 32, fused loss. */
export function lectureConfig(steps: number, lr: Lr, data: ResolvedData = lectureData()): TrialConfig {
  return {
    seed: 2147483647,
    data,
    model: { block_size: 3, embed_dim: 10, hidden: 200 },
    loss: 'fused',
    train: { steps, batch_size: 32, lr },
    eval: { every: steps, splits: ['train', 'dev', 'test'] },
    sample: 0,
  };
}

/** What torch_mlp.py prints. */
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

/** Run torch_mlp.py on names.txt with one thread; `decayAt` ≥ steps means a constant lr. */
export async function runTorch(steps: number, lr: number, decayAt: number, decayLr: number): Promise<TorchResult> {
  const args = [TORCH_MLP, NAMES, '--steps', String(steps), '--lr', String(lr), '--decay-at', String(decayAt), '--decay-lr', String(decayLr)];
  args.push('--block', '3', '--emb', '10', '--hidden', '200', '--batch', '32', '--threads', '1');
  const { stdout } = await promisify(execFile)(PYTHON, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as TorchResult;
}
