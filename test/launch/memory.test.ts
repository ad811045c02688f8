// The plan's memory against what must hold it: a trial that cannot fit is refused at the key that makes it too large
// (located in the file, at the grid value when the key varies), fewer workers run when not all fit, a Slurm task's
// mem_gb or sbatch --mem bounds its trial, and sizes no machine runs are refused whatever its memory.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { planExperiment } from '../../src/config/plan.js';
import { cgroupLimit, machineMemory, planMemory, type MachineMemory } from '../../src/launch/memory.js';
import { tempOut } from '../e2e/helpers.js';

const GB = 1e9;
const machine = (limit: number, available = limit): MachineMemory => ({ total: limit, limit, available, limitedBy: 'the test machine' });

/** Plan a YAML text; the memory check's problems as the command line prints them (FILE:LINE:COL KEY: message). */
async function check(yaml: string, options: { jobs?: number; limit?: number; backend?: 'wasm' | 'cpu' } = {}) {
  const dir = await tempOut();
  const file = path.join(dir, 'exp.yaml');
  await writeFile(file, yaml);
  const planned = await planExperiment(file);
  const memory = planMemory(planned.plan, planned.files, { jobs: options.jobs ?? 1, backend: options.backend ?? 'cpu', machine: machine(options.limit ?? 1000 * GB) });
  const lines = memory.problems.map((p) => formatDiagnostic(planned.locate(p.trial, p.path, p.message)).replace(file, 'exp.yaml'));
  return { memory, lines, dir };
}

// The tfjs engine's trials unless said (engine: tfjs last, so that the keys above keep their lines).
describe('planMemory on a machine of 2 GB', () => {
  const cases: [string, string, string][] = [
    ['a batch too large', 'train: {batch_size: 400000}', 'exp.yaml:2:21 train.batch_size'],
    ['a full batch of the lecture\'s 32,033 names with a wide layer', 'data: {builtin: makemore}\nmodel: {hidden: 1000}\ntrain: {batch_size: full}', 'exp.yaml:4:21 train.batch_size'],
    ['a hidden layer too wide', 'model: {hidden: 40000}\ntrain: {batch_size: 2048}', 'exp.yaml:2:17 model.hidden'],
    ['embeddings too wide', 'model: {embed_dim: 30000}\ntrain: {batch_size: 2048}', 'exp.yaml:2:20 model.embed_dim'],
    ['a context too long', 'model: {block_size: 8000}\ntrain: {batch_size: 2048}', 'exp.yaml:2:21 model.block_size'],
  ];
  for (const [what, yaml, at] of cases) {
    it(`refuses ${what} at ${at.split(' ')[1]}, with where it is`, async () => {
      const { lines } = await check(`name: exp\n${yaml}\nengine: tfjs\n`, { limit: 2 * GB });
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, new RegExp(`^${at.replace(/\./g, '\\.')}: expected a trial that fits in the test machine \\(2 GB\\) beside run-exp itself, got one that needs about \\d+(\\.\\d)? GB at its peak \\(tensors \\d`));
    });
  }

  it("refuses a kernel trial too large, its kernel's memory counted", async () => {
    const { lines } = await check('name: exp\ntrain: {batch_size: 1000000}\n', { limit: 2 * GB });
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^exp\.yaml:2:21 train\.batch_size: expected a trial that fits in the test machine \(2 GB\) beside run-exp itself, got one that needs about \d+(\.\d)? GB at its peak \(kernel \d/);
  });

  it('refuses a word list too large at data.file', async () => {
    const dir = await tempOut();
    await writeFile(path.join(dir, 'words.txt'), 'abcdefgh\n'.repeat(300_000)); // 2.7 MB: 16 MB as read, 11 MB of windows
    await writeFile(path.join(dir, 'exp.yaml'), 'name: exp\ndata: {file: words.txt}\n');
    const planned = await planExperiment(path.join(dir, 'exp.yaml'));
    const memory = planMemory(planned.plan, planned.files, { jobs: 1, backend: 'cpu', machine: machine(0.3 * GB) });
    assert.deepEqual(memory.problems.map((p) => p.path), [['data', 'file']]);
  });

  it('refuses only the grid value that is too large, at its place in the grid', async () => {
    const { lines } = await check('name: exp\ntrain: {batch_size: 1024}\ngrid:\n  model.hidden: [200, 100000, 300]\nengine: tfjs\n', { limit: 2 * GB });
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^exp\.yaml:4:23 grid\.model\.hidden\[1\]: expected a trial that fits/);
  });

  it('runs fewer trials at once when not all of them fit, and says so', async () => {
    const { memory } = await check('name: exp\ntrain: {batch_size: 100000}\ngrid:\n  train.lr: [0.1, 0.2]\nengine: tfjs\n', { jobs: 2, limit: 2 * GB });
    assert.deepEqual(memory.problems, []);
    assert.equal(memory.workers, 1);
    assert.match(memory.warnings.join('\n'), /^running at most 1 trial at once instead of 2: a trial needs up to \d+(\.\d)? GB at its peak, and the test machine is 2 GB$/);
  });

  it('warns when the run needs more than is available now, and lets it run', async () => {
    const { memory } = await check('name: exp\n', { limit: 2 * GB });
    assert.deepEqual(memory.warnings, []);
    const dir = await tempOut();
    await writeFile(path.join(dir, 'exp.yaml'), 'name: exp\n');
    const planned = await planExperiment(path.join(dir, 'exp.yaml'));
    const busy = planMemory(planned.plan, planned.files, { jobs: 1, backend: 'cpu', machine: machine(2 * GB, 0.1 * GB) });
    assert.deepEqual(busy.problems, []);
    assert.match(busy.warnings.join('\n'), /^the run needs about \d+ MB of memory at its peak, more than the 100 MB available now/);
  });
});

describe('planMemory of a Slurm run', () => {
  it('refuses a trial beyond executor.mem_gb, whatever this machine has', async () => {
    const { lines } = await check('name: exp\ntrain: {batch_size: 100000}\nexecutor: {kind: slurm, mem_gb: 0.5}\nengine: tfjs\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^exp\.yaml:2:21 train\.batch_size: expected a trial that fits in a Slurm task's memory \(executor\.mem_gb: 0\.5\), got one that needs about \d+(\.\d)? GB/);
  });

  it('refuses a trial beyond the --mem of executor.sbatch_args at that item, which wins over mem_gb', async () => {
    const { lines, memory } = await check('name: exp\nexecutor:\n  kind: slurm\n  mem_gb: 8\n  sbatch_args: ["--qos=short", "--mem 50M"]\nengine: tfjs\n');
    assert.equal(memory.limit, 50 * 2 ** 20);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^exp\.yaml:5:32 executor\.sbatch_args\[1\]: expected a trial that fits in a Slurm task's memory \(--mem 50M\), got one that needs about 222 MB at its peak \(tensors 110 MB, runtime 110 MB\); raise this$/);
    const large = await check('name: exp\ntrain: {batch_size: 100000}\nexecutor: {kind: slurm, sbatch_args: ["--mem=1G"]}\nengine: tfjs\n');
    assert.match(large.lines.join('\n'), /^exp\.yaml:3:39 executor\.sbatch_args\[0\]: .*; raise this, or make the trial smaller \(train\.batch_size\)$/);
  });

  it('counts --mem-per-cpu times the task\'s CPUs, and passes a trial within it', async () => {
    const yaml = (cpus: number) => `name: exp\nexecutor: {kind: slurm, cpus_per_task: ${cpus}, sbatch_args: ["--mem-per-cpu=200M"]}\n`;
    assert.match((await check(yaml(1))).lines.join('\n'), /^exp\.yaml:2:57 executor\.sbatch_args\[0\]: expected a trial that fits in a Slurm task's memory \(--mem-per-cpu=200M\)/);
    const two = await check(yaml(2));
    assert.deepEqual(two.lines, []);
    assert.equal(two.memory.limit, 400 * 2 ** 20);
  });

  it('checks nothing against memory when mem_gb is not given (the cluster decides)', async () => {
    const { memory } = await check('name: exp\ntrain: {batch_size: 100000}\nexecutor: {kind: slurm}\n', { limit: 0.1 * GB });
    assert.deepEqual(memory.problems, []);
  });
});

describe('sizes no machine runs', () => {
  it('refuses tensors beyond the WASM heap (4 GiB) with the WASM backend, not with the CPU backend', async () => {
    const yaml = 'name: exp\ntrain: {batch_size: 2000000}\nengine: tfjs\n';
    const wasm = await check(yaml, { backend: 'wasm' });
    assert.match(wasm.lines.join('\n'), /^exp\.yaml:2:21 train\.batch_size: expected TF\.js tensors that fit in the WASM backend's heap \(4\.3 GB, the 4 GiB of wasm32's address space\), got a trial that needs about \d+ GB/);
    assert.deepEqual((await check(yaml, { backend: 'cpu' })).lines, []);
  });

  it('refuses an array of more than 2^32 elements, and weights.json longer than a string', async () => {
    const { lines } = await check('name: exp\nmodel: {hidden: 2000000000}\n');
    assert.match(lines.join('\n'), /^exp\.yaml:2:17 model\.hidden: expected arrays of at most 4,294,967,296 elements \(what a JavaScript typed array holds\), got a trial with one of 64,000,000,000; make this smaller$/);
    const text = await check('name: exp\nmodel: {hidden: 2000000}\n');
    assert.match(text.lines.join('\n'), /^exp\.yaml:2:17 model\.hidden: expected weights\.json to fit in one JavaScript string \(537 MB\), got a trial whose parameters make about 2\.3 GB of JSON text/);
  });
});

describe('machineMemory and cgroupLimit', () => {
  it('is this machine\'s memory, lowered by a cgroup limit when there is one', () => {
    const m = machineMemory();
    assert.ok(m.limit > 0 && m.limit <= m.total && m.available <= m.total, JSON.stringify(m));
  });

  it('finds the lowest limit of a cgroup and its ancestors, v2 (memory.max) and v1 (memory.limit_in_bytes), "max" being none', async () => {
    const root = await tempOut();
    const put = async (file: string, text: string) => {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text + '\n');
    };
    await put('user.slice/memory.max', '8589934592');
    await put('user.slice/job/memory.max', 'max');
    assert.deepEqual(cgroupLimit('0::/user.slice/job\n', root), { bytes: 8589934592, file: path.join(root, 'user.slice/memory.max') });
    await put('memory/batch/memory.limit_in_bytes', '9223372036854771712'); // v1's "no limit"
    await put('memory/batch/task/memory.limit_in_bytes', '1073741824');
    assert.deepEqual(cgroupLimit('4:memory:/batch/task\n1:cpu:/\n', root), { bytes: 1073741824, file: path.join(root, 'memory/batch/task/memory.limit_in_bytes') });
    assert.equal(cgroupLimit('0::/\n', root), undefined);
  });
});

describe("the kernel engine's memory", () => {
  const full = 'name: exp\ndata: {builtin: makemore}\nmodel: {hidden: 4000}\ntrain: {batch_size: full}\n';

  it('refuses a trial whose buffers pass its 4 GiB at the key to blame, with what fits; a trial of engine: tfjs is not asked', async () => {
    const { memory, lines } = await check(full);
    assert.deepEqual(memory.problems.map((p) => p.kind), ['kernel']);
    const shown = /^exp\.yaml:4:21 train\.batch_size: expected a batch whose buffers fit the kernel engine's 4\.00 GiB of WebAssembly memory, got full \(about [\d,]+ examples\): with hidden 4,000, block_size 3 and embed_dim 10 the kernel needs [\d.]+ GiB; batch_size up to ([\d,]+) fits/.exec(lines.join('\n'));
    assert.ok(shown !== null, lines.join('\n'));
    const fits = Number(shown[1]!.replaceAll(',', ''));
    const at = async (batch: number) => (await check(full.replace('batch_size: full', `batch_size: ${batch}`))).memory.problems.filter((p) => p.kind === 'kernel').length;
    assert.equal(await at(fits), 0);
    assert.equal(await at(fits + 4), 1); // a batch is padded to 4 rows
    assert.deepEqual((await check(full.replace('name: exp', 'name: exp\nengine: tfjs'))).memory.problems.filter((p) => p.kind === 'kernel'), []);
  });

  it('blames the grid value that is too large, at its place in the grid', async () => {
    const { lines } = await check('name: exp\ngrid:\n  train.batch_size: [32, 3000000]\n');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^exp\.yaml:3:26 grid\.train\.batch_size\[1\]: expected a batch whose buffers fit the kernel engine's 4\.00 GiB of WebAssembly memory, got 3,000,000/);
  });
});
