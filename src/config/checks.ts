// Checks the schema cannot express: fractions that sum to 1, schedules that fit train.steps,
// names usable as file names, no non-finite numbers, no sbatch flag that run-exp sets itself, sbatch memory that sbatch
// reads. Each check is defensive about types, so it can run next to schema errors and every problem is reported at once.
import type { KeyPath } from './load.js';
import type { OnProblem } from './schema-errors.js';
import * as msg from './messages.js';
import { MAX_RANGE_STEPS } from './schema.js';
import { sbatchMemoryArg } from './sbatch-memory.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Every check of one (possibly partly invalid) experiment value. */
export function checkExperiment(exp: unknown, onProblem: OnProblem): void {
  if (!isObject(exp)) return;
  checkName(exp.name, onProblem);
  checkData(exp.data, onProblem, exp.eval);
  checkTrain(exp.train, onProblem);
  checkEarlyStop(exp.early_stop, exp.eval, exp.train, onProblem);
  checkSbatchArgs(exp.executor, onProblem);
}

// sbatch flags that run-exp sets itself (src/launch/slurm/script.ts, src/launch/slurm/commands.ts), long name → short letter.
const SET_BY_RUN_EXP: Record<string, string | undefined> = {
  array: 'a',
  output: 'o',
  error: 'e',
  'job-name': 'J',
  wrap: undefined,
  chdir: 'D',
  parsable: undefined,
  'test-only': undefined,
  signal: undefined,
};

/** The sbatch flag of one sbatch_args item that run-exp sets itself: as written (`--array`, `-a`) and its long name; undefined for any other. */
export function runExpFlag(arg: string): { written: string; flag: string } | undefined {
  const long = /^--([A-Za-z][A-Za-z0-9-]*)(?=[=\s]|$)/.exec(arg);
  if (long !== null) return Object.hasOwn(SET_BY_RUN_EXP, long[1]!) ? { written: long[0], flag: long[1]! } : undefined;
  const short = /^-([A-Za-z])/.exec(arg); // -a 0-3, -a0-3: the value may follow the letter at once
  const flag = short === null ? undefined : Object.keys(SET_BY_RUN_EXP).find((k) => SET_BY_RUN_EXP[k] === short[1]);
  return flag === undefined ? undefined : { written: short![0], flag };
}

/**
 * executor.sbatch_args must not set what would break one trial per task or the task logs, and sets memory as sbatch
 * reads it: a value it can read, and one kind of limit (executor.mem_gb is a --mem).
 */
function checkSbatchArgs(executor: unknown, onProblem: OnProblem): void {
  if (!isObject(executor) || !Array.isArray(executor.sbatch_args)) return;
  let firstLimit = executor.mem_gb === undefined ? undefined : { flag: 'mem', said: 'executor.mem_gb' };
  executor.sbatch_args.forEach((arg, i) => {
    const found = typeof arg === 'string' ? runExpFlag(arg.trim()) : undefined;
    if (found !== undefined) onProblem(['executor', 'sbatch_args', i], msg.sbatchFlagSetByRunExp(found.written, found.flag));
    const memory = typeof arg === 'string' ? sbatchMemoryArg(arg) : undefined;
    if (memory === undefined) return;
    if (memory.mb === undefined) onProblem(['executor', 'sbatch_args', i], msg.sbatchMemoryValue(memory.flag, memory.value));
    if (firstLimit !== undefined && firstLimit.flag !== memory.flag) onProblem(['executor', 'sbatch_args', i], msg.sbatchMemoryExclusive(memory.flag, firstLimit.said));
    firstLimit ??= { flag: memory.flag, said: `--${memory.flag} (executor.sbatch_args[${i}])` };
  });
}

/** early_stop judges an evaluated split, and ASHA's rungs are evaluations before the last step. */
function checkEarlyStop(rule: unknown, evalConfig: unknown, train: unknown, onProblem: OnProblem): void {
  if (!isObject(rule) || !isObject(evalConfig) || !isObject(train)) return;
  const split = typeof rule.metric === 'string' ? rule.metric.replace(/_loss$/, '') : undefined;
  if (split !== undefined && Array.isArray(evalConfig.splits) && !evalConfig.splits.includes(split)) {
    onProblem(['early_stop', 'metric'], msg.metricNotEvaluated(String(rule.metric), split));
  }
  if (!isNumber(rule.grace) || !isNumber(evalConfig.every) || !isNumber(train.steps)) return;
  if (rule.method === 'asha' && rule.grace % evalConfig.every !== 0) onProblem(['early_stop', 'grace'], msg.graceNotEvaluated(evalConfig.every, rule.grace));
  else if (rule.grace >= train.steps) onProblem(['early_stop', 'grace'], msg.graceTooLong(train.steps, rule.grace));
}

/** .inf and .nan are numbers to YAML and to JSON Schema, but no key means them. */
export function checkFinite(value: unknown, onProblem: OnProblem, path: KeyPath = []): void {
  if (typeof value === 'number' && !Number.isFinite(value)) onProblem(path, msg.notFinite(value));
  else if (Array.isArray(value)) value.forEach((v, i) => checkFinite(v, onProblem, [...path, i]));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) checkFinite(v, onProblem, [...path, k]);
}

// Names that Windows reserves for devices, whatever the extension.
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/;
// A name whose report, DIR/NAME.html, would be the index of every experiment in DIR.
const INDEX = 'index';

function checkName(name: unknown, onProblem: OnProblem): void {
  if (typeof name === 'string' && RESERVED.test(name)) onProblem(['name'], msg.reservedName(name));
  if (name === INDEX) onProblem(['name'], msg.indexName());
}

function checkData(data: unknown, onProblem: OnProblem, evalConfig: unknown): void {
  if (!isObject(data)) return;
  if (data.builtin !== undefined && data.file !== undefined) onProblem(['data', 'file'], msg.builtinAndFile());
  const split = data.split;
  if (!isObject(split) || !isNumber(split.train) || !isNumber(split.dev) || !isNumber(split.test)) return;
  const { train, dev, test } = split as { train: number; dev: number; test: number };
  if (Math.abs(train + dev + test - 1) > 1e-9) onProblem(['data', 'split'], msg.splitSum(train, dev, test));
  if (train === 0) onProblem(['data', 'split', 'train'], msg.splitTrainEmpty());
  const splits = isObject(evalConfig) && Array.isArray(evalConfig.splits) ? evalConfig.splits : [];
  splits.forEach((name, i) => {
    if ((name === 'dev' || name === 'test') && split[name] === 0) onProblem(['eval', 'splits', i], msg.evalSplitEmpty(name));
  });
}

function checkTrain(train: unknown, onProblem: OnProblem): void {
  if (!isObject(train) || !isObject(train.lr)) return;
  const lr = train.lr;
  const steps = isNumber(train.steps) ? train.steps : undefined;
  const at = (...keys: KeyPath) => ['train', 'lr', ...keys];
  switch (lr.schedule) {
    case 'range':
      if (isNumber(lr.min) && isNumber(lr.max) && lr.max <= lr.min) onProblem(at('max'), msg.rangeOrder(lr.min, lr.max));
      if (steps !== undefined && steps > MAX_RANGE_STEPS) onProblem(['train', 'steps'], msg.rangeTooLong(MAX_RANGE_STEPS, steps));
      return;
    case 'step': {
      if (!Array.isArray(lr.drops)) return;
      let previous = -1;
      lr.drops.forEach((drop, i) => {
        if (!isObject(drop) || !isNumber(drop.at)) return;
        if (drop.at <= previous) onProblem(at('drops', i, 'at'), msg.dropOrder(previous, drop.at));
        else if (steps !== undefined && drop.at >= steps) onProblem(at('drops', i, 'at'), msg.dropBeyondSteps(steps, drop.at));
        previous = Math.max(previous, drop.at);
      });
      return;
    }
    case 'cosine':
      if (steps !== undefined && isNumber(lr.warmup) && lr.warmup >= steps) onProblem(at('warmup'), msg.warmupTooLong(steps, lr.warmup));
      return;
    case 'exponential':
      return;
    default:
      return; // not recognised: the schema reports unknown schedules
  }
}
