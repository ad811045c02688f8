// Parsing what Slurm says: `scontrol show job -o` lines (as Slurm 22.05 prints them) and `sbatch --parsable`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isActive, parseJobId, parseJobRecords, taskIndexes } from '../../../src/launch/slurm/records.js';

// Real lines from the test cluster (trimmed of fields nobody reads): a throttled array of 4, task 2 cancelled while pending.
const SHOWN = [
  'JobId=5 ArrayJobId=5 ArrayTaskId=1,3%1 ArrayTaskThrottle=1 JobName=a.sh UserId=root(0) JobState=PENDING Reason=JobArrayTaskLimit Dependency=(null) ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED StartTime=Unknown EndTime=Unknown NodeList=(null) BatchHost=(null)',
  'JobId=6 ArrayJobId=5 ArrayTaskId=0 ArrayTaskThrottle=1 JobName=a.sh UserId=root(0) JobState=CANCELLED Reason=None Dependency=(null) ExitCode=0:15 RunTime=00:00:02 TimeLimit=UNLIMITED StartTime=2026-12-02T15:33:47 EndTime=2026-12-02T15:33:49 NodeList=vm BatchHost=vm',
  'JobId=9 ArrayJobId=8 ArrayTaskId=0 JobState=RUNNING Reason=None ExitCode=0:0 NodeList=vm',
  // A task that requeued itself (USR1 before its time limit), waiting out the begin time Slurm gives a requeued job.
  'JobId=129 ArrayJobId=128 ArrayTaskId=0 JobState=PENDING Reason=BeginTime Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 ExitCode=0:0 StartTime=2026-12-07T12:20:52 EndTime=Unknown NodeList=(null)',
].join('\n');

describe('parseJobRecords', () => {
  it('gives each task of the array its own record: pending ones share the array record, ended ones have state, exit code and times', () => {
    const tasks = parseJobRecords(SHOWN, '5');
    assert.deepEqual([...tasks.keys()].sort(), [0, 1, 3]); // 2 was cancelled while pending: Slurm keeps nothing of it
    assert.deepEqual(tasks.get(1), { index: 1, jobId: '5', state: 'PENDING', reason: 'JobArrayTaskLimit', exitCode: '0:0', node: undefined, startTime: undefined, endTime: undefined, restarts: 0 });
    assert.deepEqual(tasks.get(0), { index: 0, jobId: '6', state: 'CANCELLED', reason: 'None', exitCode: '0:15', node: 'vm', startTime: '2026-12-02T15:33:47', endTime: '2026-12-02T15:33:49', restarts: 0 });
  });

  it('counts how often Slurm requeued a task, which waits again (PENDING) and is active', () => {
    const requeued = parseJobRecords(SHOWN, '128').get(0)!;
    assert.deepEqual([requeued.state, requeued.reason, requeued.restarts], ['PENDING', 'BeginTime', 1]);
    assert.ok(isActive(requeued.state) && isActive('REQUEUED') && isActive('REQUEUE_HOLD'));
  });

  it('ignores the lines of other jobs and lines that are not jobs', () => {
    assert.deepEqual([...parseJobRecords(SHOWN + '\nslurm_load_jobs error: Invalid job id specified\n', '8').keys()], [0]);
    assert.equal(parseJobRecords('', '5').size, 0);
  });
});

describe('taskIndexes', () => {
  const cases: [string, number[]][] = [
    ['3', [3]],
    ['0-3', [0, 1, 2, 3]],
    ['1-3%1', [1, 2, 3]],
    ['0,2,5-7%2', [0, 2, 5, 6, 7]],
    ['0-6:3', [0, 3, 6]],
  ];
  for (const [value, expected] of cases) it(`reads ArrayTaskId=${value} as ${expected.join(',')}`, () => assert.deepEqual(taskIndexes(value), expected));
});

describe('isActive and parseJobId', () => {
  it('counts queued and running states as active, ended ones not', () => {
    for (const s of ['PENDING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED']) assert.ok(isActive(s), s);
    for (const s of ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED']) assert.ok(!isActive(s), s);
  });

  it('reads the job id of sbatch --parsable, with or without a cluster name', () => {
    assert.equal(parseJobId('123\n'), '123');
    assert.equal(parseJobId('123;cluster\n'), '123');
    assert.equal(parseJobId('Submitted batch job 123'), undefined);
  });
});
