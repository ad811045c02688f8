// The command as a user runs it: `node bin/run-exp.js …` in a child process, and main() for what it writes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, ROOT } from './paths.js';
import { main } from '../src/cli.js';
import { planExperiment } from '../src/config/plan.js';

const BIN = path.join(ROOT, 'bin', 'run-exp.js');
const SWEEP = path.join(FIXTURES, 'config', 'good', 'sweep.yaml');
const BAD = path.join(FIXTURES, 'config', 'bad');
const MINIMAL = path.join(FIXTURES, 'config', 'good', 'minimal.yaml');

/** Run the installed command in a child process; resolves to its exit code and output. */
function runExp(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The cases spawn a process each: run them side by side.
const concurrently = { concurrency: true };

describe('run-exp --help and --version', concurrently, () => {
  it('prints the usage and exits 0', async () => {
    const r = await runExp('--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage:\n {2}run-exp FILE\.yaml \[--set KEY=VALUE\]\.\.\./m);
    assert.match(r.stdout, /run-exp report NAME \[--out DIR\]/);
  });

  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runExp('--version');
    assert.deepEqual([r.code, r.stdout], [0, `${pkg.version}\n`]);
  });
});

describe('run-exp FILE --dry-run', concurrently, () => {
  it('prints one row per trial with its id and what varies, the total steps and an estimate', async () => {
    const r = await runExp(SWEEP, '--dry-run', '--jobs', '2');
    assert.equal(r.code, 0, r.stderr);
    const { plan } = await planExperiment(SWEEP);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^sweep: 8 trials \(loss × train\.batch_size × repeat\) from /);
    assert.match(lines[1]!, /^\s+#\s+id\s+loss\s+train\.batch_size\s+repeat\s+steps\s+est\.\s+memory$/);
    plan.trials.forEach((t, i) => {
      const cells = lines[2 + i]!.trim().split(/\s+/);
      assert.deepEqual(cells.slice(0, 6), [String(i + 1), t.id, String(t.params.loss), String(t.params['train.batch_size']), String(t.params.repeat), '200']);
      assert.match(cells.slice(-2).join(' '), /^\d+(\.\d)? [MG]B$/);
    });
    assert.match(lines[10]!, /^total: 1,600 steps; estimated time about \d+ (s|min) with 2 jobs \(\d+ (s|min) of compute\); about \d+(\.\d)? MB of results$/);
    assert.match(lines[11]!, /^memory: up to about \d+(\.\d)? [MG]B a trial at its peak; the run about \d+(\.\d)? [MG]B with 2 at once \(this machine: \d+(\.\d)? [GT]B\)$/);
    assert.equal(lines[12], 'nothing was run or written (--dry-run)');
  });

  it('prints the plan as one JSON document with --json', async () => {
    const r = await runExp(SWEEP, '--dry-run', '--json', '--set', 'train.steps=50');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { name: string; trials: { id: string; params: unknown; steps: number }[]; total_steps: number; experiment: { train: { steps: number } } };
    const { plan } = await planExperiment(SWEEP, ['train.steps=50']);
    assert.equal(json.name, 'sweep');
    assert.deepEqual(json.trials.map((t) => [t.id, t.params, t.steps]), plan.trials.map((t) => [t.id, t.params, 50]));
    assert.equal(json.total_steps, 400);
    assert.equal(json.experiment.train.steps, 50);
  });

  it("counts diagnostics.jsonl's bytes in the estimate: about 1,000 a diagnostics step", async () => {
    const bytes = async (...set: string[]) => {
      const r = await runExp(SWEEP, '--dry-run', '--json', '--set', 'train.steps=1000', ...set.flatMap((x) => ['--set', x]));
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { trials: unknown[]; estimated_bytes: number };
    };
    const [without, within] = [await bytes(), await bytes('diagnostics={every: 100}')];
    assert.equal(within.estimated_bytes - without.estimated_bytes, within.trials.length * 10 * 1000); // steps 0, 100, …, 900
  });

  it('estimates the lecture network at about 12,500 steps/s in the kernel, 2,000 on tfjs (the calibration of the cost model)', async () => {
    const estimate = async (engine: string) => {
      const r = await runExp(path.join(FIXTURES, 'config', 'good', 'minimal.yaml'), '--dry-run', '--json', '--set', 'train.steps=200000', '--set', 'eval.every=200000', '--set', `engine=${engine}`);
      return (JSON.parse(r.stdout) as { trials: { estimated_seconds: number }[] }).trials[0]!.estimated_seconds;
    };
    const [kernel, tfjs] = [await estimate('kernel'), await estimate('tfjs')];
    assert.ok(kernel > 16 && kernel < 20, `200,000 steps estimated at ${kernel} s in the kernel`);
    assert.ok(tfjs > 95 && tfjs < 110, `200,000 steps estimated at ${tfjs} s on tfjs`);
  });

  it('warns about a plan that would run for days and write a hundred gigabytes, in text and in JSON', async () => {
    const minimal = path.join(FIXTURES, 'config', 'good', 'minimal.yaml');
    const r = await runExp(minimal, '--dry-run', '--jobs', '1', '--set', 'train.steps=1000000000');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /; about 5\d GB of results\nmemory: .*\nwarning: this plan runs for about \d+\.\d days with 1 job: check train\.steps and the grid before starting it\nwarning: this plan writes about 5\d GB of results \(metrics\.jsonl keeps a row per step\)/);
    const json = JSON.parse((await runExp(minimal, '--dry-run', '--json', '--set', 'train.steps=1000000000')).stdout) as { warnings: string[]; estimated_bytes: number };
    assert.equal(json.warnings.length, 2);
    assert.ok(json.estimated_bytes > 5e10 && json.estimated_bytes < 6e10, `${json.estimated_bytes} bytes`);
    const quiet = JSON.parse((await runExp(minimal, '--dry-run', '--json')).stdout) as { warnings: string[] };
    assert.deepEqual(quiet.warnings, [], 'a plan of minutes and megabytes: no warning');
  });

  it('plans a 10,000-trial grid in linear time and lists every trial', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'run-exp-cli-'));
    try {
      const file = path.join(tmp, 'big.yaml');
      writeFileSync(file, `name: big\ngrid:\n  train.lr: [${Array.from({ length: 10_000 }, (_, i) => 0.001 + i * 1e-6).join(', ')}]\n`);
      const r = await runExp(file, '--dry-run', '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { trials: unknown[] }).trials.length, 10_000); // (its speed: bench/plan.ts)
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('counts evals at every N steps and once at the end: 1,000 steps evaluate 4 times with every 300 as with every 250', async () => {
    const r = await runExp(path.join(FIXTURES, 'config', 'good', 'minimal.yaml'), '--dry-run', '--json', '--set', 'eval.every=300,250');
    const json = JSON.parse(r.stdout) as { trials: { estimated_seconds: number }[] };
    const [every300, every250] = json.trials.map((t) => t.estimated_seconds);
    assert.equal(every300, every250);
  });
});

describe('bad input exits 2 with every problem on stderr and nothing on stdout', concurrently, () => {
  const cases: { title?: string; args: string[]; stderr: RegExp }[] = [
    { args: [path.join(BAD, 'many-errors.yaml'), '--dry-run'], stderr: /many-errors\.yaml:2:1 modle: unknown key; did you mean `model`\?\n[^]*5 problems; nothing was run or written\.\n$/ },
    { args: [SWEEP, '--set', 'train.batch_size=-4'], stderr: /^--set train\.batch_size=-4 train\.batch_size: expected a positive integer or "full", got -4\n1 problem; nothing was run or written\.\n$/ },
    { args: [SWEEP, '--frobnicate'], stderr: /^run-exp: Unknown option '--frobnicate'/ },
    { args: [SWEEP, '--set', 'train.steps=1e10'], stderr: /^--set train\.steps=1e10 train\.steps: expected an integer from 1 to 1,000,000,000, got 10000000000\n1 problem/ },
    {
      args: [SWEEP, '--set', 'train.lr={schedule: range, min: 0.001, max: 1}', '--set', 'train.steps=2000000'],
      stderr: /^--set train\.steps=2000000 train\.steps: expected at most 1,000,000 steps for an LR range test \(it keeps every step's lr and smoothed loss for its suggestion\), got 2,000,000\n1 problem/,
    },
    // sweep.yaml has 8 trials (2 × 2 × repeat 2): × 1,000 is 8,000, × 2 more is 16,000: the --set that passes 10,000 is named.
    {
      title: 'rejects a --set axis that takes the plan past 10,000 trials, naming that --set (the second)',
      args: [SWEEP, '--set', `model.hidden=${Array.from({ length: 1000 }, (_, i) => i + 1).join(',')}`, '--set', 'model.embed_dim=1,2'],
      stderr: /^--set model\.embed_dim=1,2 grid\.model\.embed_dim: expected at most 10,000 trials, got 16,000 \(grid combinations × repeat\)\n1 problem/,
    },
    {
      title: 'rejects a --set axis that takes the plan past 10,000 trials, naming that --set (the first)',
      args: [SWEEP, '--set', 'model.embed_dim=1,2', '--set', `model.hidden=${Array.from({ length: 1000 }, (_, i) => i + 1).join(',')}`],
      stderr: /^--set model\.hidden=1,2,3,[\d,]+ grid\.model\.hidden: expected at most 10,000 trials, got 16,000/,
    },
    { args: [SWEEP, '--set', 'repeat=1000', '--set', 'model.hidden=1,2,3,4,5,6'], stderr: /^--set repeat=1000 repeat: expected at most 10,000 trials, got 24,000 \(grid combinations × repeat\)\n1 problem/ },
    {
      title: "rejects a trial whose kernel buffers pass WebAssembly's 4 GiB at the key to blame, with what fits (a full batch of the lecture's names at hidden 4,000)",
      args: [MINIMAL, '--dry-run', '--set', 'data.builtin=makemore', '--set', 'model.hidden=4000', '--set', 'train.batch_size=full'],
      stderr:
        /^--set train\.batch_size=full train\.batch_size: expected a batch whose buffers fit the kernel engine's 4\.00 GiB of WebAssembly memory, got full \(about 182,\d{3} examples\): with hidden 4,000, block_size 3 and embed_dim 10 the kernel needs 5\.5\d GiB; batch_size up to [\d,]+ fits \(or hidden up to 2,8\d\d with this batch\), or set engine: tfjs\n1 problem; nothing was run or written\.\n$/,
    },
    {
      title: 'rejects a grid value that the kernel cannot hold at that value',
      args: [SWEEP, '--set', 'train.batch_size=32,3000000', '--set', 'loss=fused', '--set', 'model.hidden=200', '--set', 'repeat=1'],
      stderr: /^--set train\.batch_size=32,3000000 grid\.train\.batch_size\[1\]: expected a batch whose buffers fit the kernel engine's 4\.00 GiB of WebAssembly memory, got 3,000,000: with hidden 200, block_size 3 and embed_dim 10 the kernel needs 5\.\d\d GiB; batch_size up to [\d,]+ fits \(or hidden up to \d+ with this batch\), or set engine: tfjs\n1 problem/,
    },
  ];
  for (const { title, args, stderr } of cases) {
    it(title ?? `rejects run-exp ${args.map((a) => path.basename(a)).join(' ')}`, async () => {
      const r = await runExp(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, stderr);
      assert.equal(r.stdout, '');
    });
  }

  it('asks the kernel\'s limit of kernel trials only: on engine: tfjs the same trial meets the WASM heap\'s instead', async () => {
    const r = await runExp(MINIMAL, '--dry-run', '--backend', 'wasm', '--set', 'data.builtin=makemore', '--set', 'model.hidden=4000', '--set', 'train.batch_size=full', '--set', 'engine=tfjs');
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /kernel/);
    assert.match(r.stderr, /^--set train\.batch_size=full train\.batch_size: expected TF\.js tensors that fit in the WASM backend's heap/);
  });

  it('also prints the problems as JSON on stdout with --json', async () => {
    const r = await runExp(path.join(BAD, 'loss-typo.yaml'), '--json');
    assert.equal(r.code, 2);
    const json = JSON.parse(r.stdout) as { errors: { line: number; col: number; path: string; message: string }[] };
    assert.deepEqual(json.errors.map((e) => [e.line, e.col, e.path]), [[2, 7, 'loss']]);
  });
});

describe('main() resolves to 2 for bad usage, with the reason on stderr', () => {
  const cases: { args: string[]; stderr: RegExp }[] = [
    { args: [], stderr: /^run-exp: expected an experiment FILE\.yaml\nRun `run-exp --help` for usage\.\n$/ },
    { args: ['no-such-file.yaml'], stderr: /^no-such-file\.yaml: cannot read the experiment file \(no such file\)\n/ },
    { args: [SWEEP, SWEEP], stderr: /^run-exp: expected one experiment file, got 2/ },
    { args: [SWEEP, '--jobs', '0'], stderr: /^run-exp: --jobs: expected a positive integer, got "0"/ },
    { args: [SWEEP, '--jobs', '1000'], stderr: new RegExp(`^run-exp: --jobs: expected at most ${4 * os.availableParallelism()} \\(4 per CPU core; this machine has ${os.availableParallelism()}\\), got 1000`) },
    { args: [SWEEP, '--backend', 'gpu'], stderr: /^run-exp: --backend: expected auto, node, wasm, cpu, got "gpu"/ },
    { args: [SWEEP, '--timeout', 'soon'], stderr: /^run-exp: --timeout: expected a positive number of seconds, got "soon"/ },
    { args: [SWEEP, '--set'], stderr: /^run-exp: Option '--set <value>' argument missing/ },
    { args: ['report'], stderr: /^run-exp: report: expected one experiment NAME, got 0/ },
    { args: ['report', 'x', '--force'], stderr: /^run-exp: report: expected only --out DIR, got --force/ },
    { args: ['report', 'never-ran', '--out', path.join(os.tmpdir(), 'run-exp-none')], stderr: /^run-exp report: no results for "never-ran"/ },
    { args: [SWEEP, '--executor', 'pbs'], stderr: /^run-exp: --executor: expected local or slurm, got "pbs"/ },
    { args: [SWEEP, '--detach'], stderr: /^run-exp: --detach: expected the Slurm executor \(--executor slurm, or executor\.kind: slurm in the file\)/ },
    { args: ['status'], stderr: /^run-exp: status: expected one experiment NAME, got 0/ },
    { args: ['status', 'x', '--force'], stderr: /^run-exp: status: expected only --out DIR and --json, got --force/ },
    { args: ['status', 'never-ran', '--out', path.join(os.tmpdir(), 'run-exp-none')], stderr: /^run-exp status: no results for "never-ran"/ },
    { args: ['task', 'only-one'], stderr: /^run-exp: task: expected SUBMISSION INDEX \(what a Slurm array task runs\), got only-one/ },
  ];
  for (const { args, stderr } of cases) {
    it(`rejects run-exp ${args.map((a) => path.basename(a)).join(' ')}`, async () => {
      const { code, text } = await withStderr(() => main(args));
      assert.equal(code, 2, text);
      assert.match(text, stderr);
    });
  }
});

describe('--jobs on Slurm is the array\'s parallelism, not this machine\'s workers', () => {
  const cases: { title: string; args: string[] }[] = [
    { title: 'named on the command line', args: ['--executor', 'slurm'] },
    { title: 'named by the file (here through --set)', args: ['--set', 'executor.kind=slurm'] },
  ];
  for (const { title, args } of cases) {
    it(`takes --jobs 1000 when the Slurm executor is ${title}`, async () => {
      const { code, text } = await withStderr(() => main([SWEEP, '--jobs', '1000', '--dry-run', ...args]));
      assert.equal(code, 0, text);
      assert.doesNotMatch(text, /--jobs/);
    });
  }
});

/** Run fn while collecting what it writes to stderr (stdout is the test runner's: left alone). */
async function withStderr<T>(fn: () => Promise<T>): Promise<{ code: T; text: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await fn(), text };
  } finally {
    process.stderr.write = write;
  }
}

describe('nothing is written', concurrently, () => {
  const cases: { title: string; args: (out: string) => string[]; code: number }[] = [
    { title: 'for a bad file', args: (out) => [path.join(BAD, 'many-errors.yaml'), '--out', out], code: 2 },
    { title: 'for a bad override', args: (out) => [SWEEP, '--set', 'loss=manual,fuse', '--out', out], code: 2 },
    { title: 'for a missing word file', args: (out) => [path.join(BAD, 'data-file-missing.yaml'), '--out', out], code: 2 },
    { title: 'for a dry run', args: (out) => [SWEEP, '--dry-run', '--out', out], code: 0 },
    { title: 'for --jobs past its limit', args: (out) => [SWEEP, '--jobs', '100000', '--out', out], code: 2 },
    { title: 'for a plan past the trial limit', args: (out) => [SWEEP, '--set', 'model.hidden=1,2,3,4,5,6,7,8,9,10', '--set', 'model.embed_dim=1,2,3,4,5,6,7,8,9,10,11,12,13', '--set', 'train.steps=1,2,3,4,5,6,7,8,9,10', '--out', out], code: 2 },
  ];
  for (const { title, args, code } of cases) {
    it(title, async () => {
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'run-exp-cli-'));
      const out = path.join(tmp, 'out');
      try {
        const r = await runExp(...args(out)); // bin/run-exp.js → main()
        assert.equal(r.code, code, r.stderr);
        assert.equal(existsSync(out), false, `${out} was created`);
        assert.deepEqual(readdirSync(tmp), []);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});

describe('another run holds the experiment folder', () => {
  it('exits 2 naming the holder (pid, command line) and how to wait for it, and writes nothing', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'run-exp-cli-'));
    const lock = path.join(tmp, 'sweep', 'run.lock');
    mkdirSync(path.dirname(lock));
    const holder = spawn(process.execPath, [path.join(ROOT, 'dist', 'test', 'fixtures', 'workers', 'lock-taker.js'), lock, '0', 'hang']);
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      const before = readdirSync(tmp, { recursive: true }).sort();
      const r = await runExp(SWEEP, '--out', tmp, '--set', 'train.steps=5');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^run-exp: .*sweep is in use by another run: pid ${holder.pid} on host ${os.hostname()}, since .*: run-exp lock-taker ${lock} \\(in .*\\)\\. One run per experiment folder at a time: wait for it to end, or stop it \\(kill ${holder.pid}\\)\\. Nothing was run or written\\.\\n$`));
      assert.equal(r.stdout, '');
      assert.deepEqual(readdirSync(tmp, { recursive: true }).sort(), before);
    } finally {
      holder.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

