// A Slurm task's memory as sbatch reads it: --mem and --mem-per-cpu in executor.sbatch_args, their units as Slurm's
// str_to_mbytes reads them, and which limit counts (the last item, after executor.mem_gb).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sbatchMemoryArg, taskMemoryLimit } from '../../src/config/sbatch-memory.js';

describe('sbatchMemoryArg', () => {
  const read: [string, string, number | undefined][] = [
    ['--mem=50M', 'mem', 50],
    ['--mem=50', 'mem', 50], // megabytes by default
    ['--mem 4G', 'mem', 4096], // two words on the #SBATCH line
    ['--mem=2g', 'mem', 2048],
    ['--mem=1T', 'mem', 1024 * 1024],
    ['--mem=1500K', 'mem', 2], // rounded up to whole megabytes
    ['--mem=50MB', 'mem', 50], // sbatch reads the unit's first letter
    ['--mem=0', 'mem', 0],
    ['--mem-per-cpu=500M', 'mem-per-cpu', 500],
    ['--mem-per-gpu=8G', 'mem-per-gpu', 8192],
    ['--mem=1.5G', 'mem', undefined],
    ['--mem=4X', 'mem', undefined],
    ['--mem', 'mem', undefined],
  ];
  for (const [arg, flag, mb] of read) {
    it(`reads ${arg} as ${mb === undefined ? 'a value sbatch refuses' : `${mb} MB`}`, () => assert.deepEqual({ ...sbatchMemoryArg(arg), value: undefined }, { flag, mb, value: undefined }));
  }

  for (const arg of ['--memory=4G', '--mem-bind=local', '--qos=short', '-m block']) {
    it(`reads no memory in ${arg}`, () => assert.equal(sbatchMemoryArg(arg), undefined));
  }
});

describe('taskMemoryLimit', () => {
  const MB = 2 ** 20;
  it('is mem_gb when sbatch_args set no memory, and nothing when neither does', () => {
    assert.deepEqual(taskMemoryLimit({ mem_gb: 0.5, cpus_per_task: 1, sbatch_args: ['--qos=short'] }), { bytes: 512 * MB, path: ['executor', 'mem_gb'], said: 'executor.mem_gb: 0.5' });
    assert.equal(taskMemoryLimit({ cpus_per_task: 1, sbatch_args: [] }), undefined);
  });

  it('is the last memory item of sbatch_args, which sbatch reads after mem_gb', () => {
    const limit = taskMemoryLimit({ mem_gb: 8, cpus_per_task: 1, sbatch_args: ['--mem=4G', '--qos=short', '--mem 300'] });
    assert.deepEqual(limit, { bytes: 300 * MB, path: ['executor', 'sbatch_args', 2], said: '--mem 300' });
  });

  it('multiplies --mem-per-cpu by the task\'s CPUs', () => {
    assert.deepEqual(taskMemoryLimit({ cpus_per_task: 2, sbatch_args: ['--mem-per-cpu=64M'] }), { bytes: 128 * MB, path: ['executor', 'sbatch_args', 0], said: '--mem-per-cpu=64M (× 2 CPUs)' });
  });

  it('is none for the whole node (--mem=0) or a limit per GPU', () => {
    assert.equal(taskMemoryLimit({ mem_gb: 1, cpus_per_task: 1, sbatch_args: ['--mem=0'] }), undefined);
    assert.equal(taskMemoryLimit({ cpus_per_task: 1, sbatch_args: ['--mem-per-gpu=8G'] }), undefined);
  });
});
