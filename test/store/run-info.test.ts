// run.json: the commit, the versions and the times of a run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { finishRunInfo, gitCommit, runExpVersion, startRunInfo } from '../../src/store/run-info.js';
import { ROOT } from '../paths.js';
import { tempOut } from '../e2e/helpers.js';

describe('run.json', () => {
  it('names the commit checked out where the experiment file lives', async () => {
    assert.match((await gitCommit(ROOT)) ?? '', /^[0-9a-f]{40}$/);
  });

  it('has no commit outside a git repository', async () => {
    assert.equal(await gitCommit(await tempOut()), null);
  });

  it("records run-exp's version, node's version, the command line and the duration", async () => {
    const start = await startRunInfo('demo', path.join(ROOT, 'experiments', 'quickstart.yaml'), ['demo.yaml', '--jobs', '2'], new Date('2026-01-01T10:00:00Z'));
    const info = finishRunInfo(start, new Date('2026-01-01T10:01:30Z'));
    assert.equal(info.run_exp_version, await runExpVersion());
    assert.match(info.run_exp_version, /^\d+\.\d+\.\d+/);
    assert.equal(info.node_version, process.version);
    assert.deepEqual(info.argv, ['demo.yaml', '--jobs', '2']);
    assert.equal(info.seconds, 90);
    assert.equal(info.finished_at, '2026-01-01T10:01:30.000Z');
  });
});
