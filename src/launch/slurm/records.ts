// What Slurm says about a job array, as data: `scontrol show job -o` lines parsed into one record per array task.
// Pure functions; the commands that produce the text are in commands.ts.

/** One array task as Slurm's controller knows it. */
export interface TaskRecord {
  index: number; // SLURM_ARRAY_TASK_ID
  jobId: string; // the task's own job id (pending tasks share the array's record)
  state: string; // JobState: PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, FAILED, OUT_OF_MEMORY, NODE_FAIL …
  reason: string; // Reason: None, JobArrayTaskLimit, Priority, TimeLimit, NonZeroExitCode …
  exitCode: string; // ExitCode: "code:signal", e.g. "0:0", "1:0", "0:15"
  node: string | undefined; // NodeList, once it runs
  startTime: string | undefined; // ISO-like local time, once it started
  endTime: string | undefined; // once it ended
  restarts: number; // Restarts: how often Slurm requeued it (a task that requeued itself near its time limit, preemption, scontrol requeue)
}

/** States in which a task has not ended: it will run, or runs (Slurm's job_state_string values). */
const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);

/** Whether a task in this state has yet to end. */
export function isActive(state: string): boolean {
  return ACTIVE.has(state);
}

/** The key=value fields of one `scontrol show job -o` line (values are single words; Command= may not be, and is not used). */
export function fields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of line.matchAll(/(?:^|\s)([A-Za-z][A-Za-z/:]*)=(\S*)/g)) if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  return out;
}

/** The task indexes of an ArrayTaskId value: "3", "1-3%1", "0,2,5-7%2" (the %N throttle dropped). */
export function taskIndexes(value: string): number[] {
  const list = value.replace(/%\d+$/, '');
  const out: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (m === null) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    for (let i = from; i <= to; i += step) out.push(i);
  }
  return out;
}

/** The tasks of array job `arrayJobId` in `scontrol show job -o` output (lines of other jobs are ignored). */
export function parseJobRecords(text: string, arrayJobId: string): Map<number, TaskRecord> {
  const tasks = new Map<number, TaskRecord>();
  for (const line of text.split('\n')) {
    const f = fields(line);
    if (f.get('ArrayJobId') !== arrayJobId || !f.has('ArrayTaskId')) continue;
    const known = (key: string) => {
      const v = f.get(key);
      return v === undefined || v === '' || v === '(null)' || v === 'Unknown' || v === 'None' ? undefined : v;
    };
    for (const index of taskIndexes(f.get('ArrayTaskId')!)) {
      tasks.set(index, {
        index,
        jobId: f.get('JobId') ?? arrayJobId,
        state: f.get('JobState') ?? 'UNKNOWN',
        reason: f.get('Reason') ?? 'None',
        exitCode: f.get('ExitCode') ?? '0:0',
        node: known('NodeList'),
        startTime: known('StartTime'),
        endTime: known('EndTime'),
        restarts: Number(f.get('Restarts') ?? 0) || 0,
      });
    }
  }
  return tasks;
}

/** The job id that `sbatch --parsable` printed: "123" or "123;cluster". */
export function parseJobId(stdout: string): string | undefined {
  const m = /^(\d+)(?:;\S+)?$/.exec(stdout.trim());
  return m?.[1];
}
