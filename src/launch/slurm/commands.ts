// Slurm's own command-line tools, called with execa: sbatch, scontrol, scancel, squeue and sacct. A command that fails
// throws SlurmError with Slurm's message (its stderr), so the user reads what Slurm said.
import { execa } from 'execa';
import { parseJobId, parseJobRecords, type TaskRecord } from './records.js';

/** A Slurm command failed: `message` is what it said (or why it could not run), `command` what was run. */
export class SlurmError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long one command may take: Slurm retries an unreachable controller for about 10 s, then says so. */
const COMMAND_TIMEOUT_MS = 60_000;

async function slurm(command: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const shown = [command, ...args].join(' ');
  const result = await execa(command, args, { reject: false, timeout: COMMAND_TIMEOUT_MS, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
  if ((result as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(result.message ?? ''))) {
    throw new SlurmError(shown, `${command} is not on PATH: run-exp submits through Slurm's own commands, so run it where they are (a login node of the cluster)`);
  }
  if (result.timedOut) throw new SlurmError(shown, `${command} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s`);
  if (result.exitCode !== 0) {
    const said = (result.stderr || result.stdout).trim() || `exit code ${result.exitCode ?? result.signal}`;
    throw new SlurmError(shown, said);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Ask Slurm whether it would take this batch script (`sbatch --test-only`): nothing is submitted; throws with Slurm's reason. */
export async function testSubmission(script: string): Promise<void> {
  await slurm('sbatch', ['--test-only'], script);
}

/** Submit a batch script file; resolves to the job id. */
export async function submit(scriptFile: string): Promise<string> {
  const { stdout } = await slurm('sbatch', ['--parsable', scriptFile]);
  const id = parseJobId(stdout);
  if (id === undefined) throw new SlurmError(`sbatch --parsable ${scriptFile}`, `expected a job id from sbatch --parsable, got ${JSON.stringify(stdout.slice(0, 200))}`);
  return id;
}

/** Cancel a job (every task of an array, pending or running). */
export async function cancel(jobId: string): Promise<void> {
  await slurm('scancel', [jobId]);
}

/** Requeue one running task of an array (`scontrol requeue JOB_INDEX`): Slurm ends it and starts it again later, from its batch script. */
export async function requeue(jobId: string, index: number): Promise<void> {
  await slurm('scontrol', ['requeue', `${jobId}_${index}`]);
}

/** The tasks of an array job that the controller still has a record of (none when it has forgotten the job). */
export async function arrayTasks(jobId: string): Promise<Map<number, TaskRecord>> {
  try {
    const { stdout } = await slurm('scontrol', ['show', 'job', '-o', jobId]);
    return parseJobRecords(stdout, jobId);
  } catch (error) {
    if (error instanceof SlurmError && /Invalid job id/i.test(error.message)) return new Map();
    throw error;
  }
}

/** What accounting remembers of a task (sacct: its state, exit code and end time), where the cluster keeps accounting; undefined where it does not. */
export async function accountedTask(jobId: string, index: number): Promise<{ state: string; exitCode: string; endTime?: string } | undefined> {
  try {
    const { stdout } = await slurm('sacct', ['-n', '-P', '-X', '-j', `${jobId}_${index}`, '-o', 'State,ExitCode,End']);
    const [state, exitCode, end] = stdout.trim().split('\n')[0]?.split('|') ?? [];
    if (state === undefined || state === '') return undefined;
    const known = end !== undefined && end !== '' && end !== 'Unknown' && end !== 'None';
    return { state: state.split(' ')[0]!, exitCode: exitCode ?? '0:0', ...(known ? { endTime: end } : {}) };
  } catch {
    return undefined; // no accounting storage (as on the test cluster), or sacct missing
  }
}
