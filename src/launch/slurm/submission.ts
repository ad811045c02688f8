// The files of a Slurm submission under DIR/NAME/slurm/: what the tasks read, and what later commands (the attached
// parent, `run-exp status`, a re-run) need to find the array again.
//
//   slurm/SUBMISSION/tasks.json   the trials, index i for array task i, and how to run them (written before sbatch)
//   slurm/SUBMISSION/batch.sh     the batch script given to sbatch
//   slurm/SUBMISSION/logs/        each task's stdout and stderr, JOBID_INDEX.out
//   slurm/job.json                the latest array: job id, submission, when; written once sbatch has answered
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EarlyStop } from '../../config/schema.js';
import type { BackendName, CheckpointEvery, Trial } from '../../types.js';
import { writeFileAtomic } from '../../store/files.js';

/** tasks.json: everything a task needs, and nothing it would have to plan again. */
export interface TaskFile {
  format: 1;
  name: string;
  out: string; // absolute DIR
  backend: BackendName;
  trials: Trial[]; // array task i trains trials[i]
  checkpoint_every?: CheckpointEvery; // checkpoint.every (absent in a submission before checkpoints: auto)
  early_stop?: EarlyStop; // the experiment's rule: each task decides for itself from its siblings' files
  plan_ids?: string[]; // every trial of the plan, in plan order (finished ones too): whose evaluations early stopping reads
}

/** job.json: the latest array submitted for the experiment. */
export interface JobFile {
  job_id: string;
  job_name: string;
  submission: string; // the submission's folder, relative to DIR/NAME/slurm
  submitted_at: string;
  tasks: number;
  cancelled_at?: string; // the run that submitted it cancelled it (Ctrl-C): its unfinished tasks are interrupted, not failed
}

/** DIR/NAME/slurm. */
export function slurmDir(experimentDir: string): string {
  return path.join(experimentDir, 'slurm');
}

/** A new submission's folder name: sortable by time, unique. */
export function newSubmissionName(now: Date): string {
  return `submit-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** The job name of an experiment's arrays: how a re-run finds one that is still queued. */
export function jobName(name: string): string {
  return `run-exp-${name}`;
}

/** job.json of the experiment, or undefined when none was submitted. */
export async function readJobFile(experimentDir: string): Promise<JobFile | undefined> {
  return readJson<JobFile>(path.join(slurmDir(experimentDir), 'job.json'));
}

export async function writeJobFile(experimentDir: string, job: JobFile): Promise<void> {
  await writeFileAtomic(path.join(slurmDir(experimentDir), 'job.json'), JSON.stringify(job, null, 2) + '\n');
}

/** tasks.json of a submission folder. */
export async function readTaskFile(submission: string): Promise<TaskFile> {
  const file = path.join(submission, 'tasks.json');
  const tasks = await readJson<TaskFile>(file);
  if (tasks === undefined || tasks.format !== 1 || !Array.isArray(tasks.trials)) throw new Error(`${file}: expected the task file of a run-exp submission`);
  return tasks;
}

/** The log file of one task: what it wrote on stdout and stderr (Slurm's own messages included). */
export function taskLog(submission: string, jobId: string, index: number): string {
  return path.join(submission, 'logs', `${jobId}_${index}.out`);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
