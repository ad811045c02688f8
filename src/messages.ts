// Every user-facing message of the run stage (the pipeline, the launchers, the results store), one function each, in
// one place; the config stages keep theirs in src/config/messages.ts, the lock its own (src/store/lock.ts), as they
// describe its record. A message says what happened and what the user can do.

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const count = (n: number) => n.toLocaleString('en-US');

// Refusals before anything was written (exit 2).

/** A refusal of a local run: nothing happened. */
export function nothingRun(reason: string): string {
  return `${reason}\nnothing was run or written.`;
}

/** A refusal of a Slurm run before the lock: nothing happened. */
export function nothingSubmittedOrWritten(reason: string): string {
  return `${reason}\nnothing was submitted or written.`;
}

/** A refusal of a Slurm run under the lock: no array (the experiment's folder was prepared). */
export function nothingSubmitted(reason: string): string {
  return `${reason}\nnothing was submitted.`;
}

/** Slurm said no (sbatch --test-only, sbatch, or it could not be asked): in its own words. */
export function slurmRefused(said: string): string {
  return `Slurm refused the submission: ${said}`;
}

/** An earlier array of the experiment still has tasks queued or running. */
export function earlierArrayActive(name: string, jobId: string, submittedAt: string, active: number, out: string): string {
  return (
    `experiment ${name}: Slurm job ${jobId}, submitted ${submittedAt}, still has ${plural(active, 'task')} queued or running; ` +
    `wait for it (\`run-exp status ${name} --out ${out}\`) or cancel it (\`scancel ${jobId}\`), then run again`
  );
}

// The disk (src/store/fs-errors.ts, src/store/folders.ts).

/** An operation of the store on the disk failed: the path, the operation and the cause in words. */
export function storeFault(operation: string, path: string, cause: string, code: string): string {
  return `cannot ${operation} ${path}: ${cause} (${code})`;
}

/** --out lies on one of the kernel's own file systems (/proc, /sys …), which hold no files of ours. */
export function kernelFileSystem(out: string, mount: string, kind: string): string {
  return `--out ${out}: expected a folder on a disk, got one under ${mount}, a ${kind} file system (the kernel's own view of the machine, which holds no files)`;
}

/** A part of the output path is not a folder: a file, or a device, a pipe or a socket (`what`). */
export function notAFolder(file: string, what: 'a file' | 'a device' | 'a pipe' | 'a socket'): string {
  return what === 'a file' ? `${file} is a file, not a folder` : `${file} is not a folder (${what})`;
}

/** A write failed during the run (the disk is full, or became read-only …): it stopped there; `space` for a full disk. */
export function stoppedByDisk(fault: string, finished: number, total: number, dir: string, space: string | undefined): string {
  const room = space === undefined || space === '' ? '' : ` ${space};`;
  const next = space === undefined ? 'once the disk can be written' : 'once there is room';
  return `stopped: ${fault};${room} ${finished} of ${total} trials finished and are kept in ${dir}; run the same command again ${next} to resume`;
}

/** A failure of the disk stopped the run before its trials ran (its experiment files were written). */
export function stoppedEarly(fault: string): string {
  return `stopped: ${fault}; no trial ran: run the same command again once the disk can be written`;
}

/** What the run needed against what the disk had (a full disk); either may be unknown. */
export function spaceNeeded(needed: string | undefined, trials: number, out: string, free: string | undefined): string {
  const need = needed === undefined ? undefined : `the run needed about ${needed} for its ${plural(trials, 'trial')} (the plan's estimate: metrics.jsonl and weights.json)`;
  const had = free === undefined ? undefined : `${out} had ${free} free when it started`;
  return [need, had].filter((part) => part !== undefined).join(', and ');
}

/** The disk may be too small before the run starts: said, not refused (the estimate is rough). */
export function spaceShort(needed: string, out: string, free: string): string {
  return `warning: this run writes about ${needed} (the plan's estimate) and ${out} has ${free} free: it may stop when the disk is full`;
}

// Memory, at planning (src/launch/memory.ts): said at the key that makes a trial too large, as the config's problems are.

/** A trial does not fit in this machine's memory (or its cgroup's limit). */
export function beyondMachineMemory(need: string, parts: string, limit: string, limitedBy: string): string {
  return `expected a trial that fits in ${limitedBy} (${limit}) beside run-exp itself, got one that needs about ${need} at its peak (${parts}); make this smaller`;
}

/** A trial does not fit in a Slurm task's memory. */
export function beyondSlurmMemory(need: string, parts: string, limit: string, atSize: boolean, smaller: string | undefined): string {
  const fix = atSize ? `make this smaller, or raise ${limit.split(':')[0]}` : `raise this${smaller === undefined ? '' : `, or make the trial smaller (${smaller})`}`;
  return `expected a trial that fits in a Slurm task's memory (${limit}), got one that needs about ${need} at its peak (${parts}); ${fix}`;
}

/** A trial's tensors do not fit in the WASM backend's heap. */
export function beyondWasmHeap(heap: string, max: string): string {
  return `expected TF.js tensors that fit in the WASM backend's heap (${max}, the 4 GiB of wasm32's address space), got a trial that needs about ${heap} of them at once; make this smaller`;
}

/** An array of a trial is longer than a typed array can be. */
export function beyondTypedArray(elements: string, max: string): string {
  return `expected arrays of at most ${max} elements (what a JavaScript typed array holds), got a trial with one of ${elements}; make this smaller`;
}

/** weights.json would not fit in one JavaScript string. */
export function beyondString(text: string, max: string): string {
  return `expected weights.json to fit in one JavaScript string (${max}), got a trial whose parameters make about ${text} of JSON text; make this smaller`;
}

/** Not every worker fits in memory at once: fewer run. */
export function fewerWorkers(workers: number, asked: number, each: string, limit: string, limitedBy: string): string {
  return `running at most ${plural(workers, 'trial')} at once instead of ${asked}: a trial needs up to ${each} at its peak, and ${limitedBy} is ${limit}`;
}

/** The run's peak is more than the memory available now. */
export function moreThanAvailable(peak: string, available: string): string {
  return `the run needs about ${peak} of memory at its peak, more than the ${available} available now: other programs may be pushed out, or the run killed`;
}

// While the trials run.

/** A stored trial failed its checks: it runs again. */
export function damagedTrial(id: string, problem: string): string {
  return `warning: damaged results of trial ${id}: ${problem}; it counts as not finished and runs again`;
}

/** Finished trials of an earlier run are kept. */
export function skipping(finished: number, total: number, dir: string): string {
  return `skipping ${finished} of ${total} trials finished by an earlier run in ${dir} (--force runs them again)`;
}

/** Trials that failed in an earlier run run again. */
export function runningFailedAgain(n: number): string {
  return `running ${plural(n, 'trial')} that failed in an earlier run again`;
}

/** Trials an earlier run stopped early train to their end: the experiment no longer stops early. */
export function runningStoppedToTheEnd(n: number): string {
  return `running ${plural(n, 'trial')} that an earlier run stopped early to the end: this experiment has no early_stop`;
}

/** A trial goes on from its checkpoint. */
export function resumedFrom(id: string, step: number, steps: number): string {
  return `trial ${id}: resumed from step ${count(step)} of ${count(steps)} (its checkpoint)`;
}

/** A trial's checkpoint was not used: it starts from step 0. */
export function checkpointNotUsed(id: string, why: string): string {
  return `trial ${id}: its checkpoint is not used, ${why}; it starts from step 0`;
}

/** What an interrupted trial keeps: the checkpoint it wrote on the signal, an earlier one, or none. */
export function interruptedTrial(id: string, saved: boolean, step: number | null, graceSeconds: number): string {
  if (saved && step !== null) return `trial ${id}: checkpoint at step ${count(step)} written; the next run resumes it from there`;
  const why = `trial ${id}: stopped before it reached a chunk boundary (at most ${graceSeconds} s after the signal)`;
  return step === null ? `${why}, with no earlier checkpoint: the next run starts it from step 0` : `${why}; its checkpoint at step ${count(step)} stands and the next run resumes it from there`;
}

/** A trial's files could not be written. */
export function couldNotWrite(id: string, error: string): string {
  return `could not write the results of trial ${id}: ${error}`;
}

/** The array was submitted and left to run (--detach). */
export function submittedDetached(jobId: string, trials: number, name: string, out: string): string {
  return `submitted Slurm job ${jobId}: ${plural(trials, 'trial')}, one per array task; see \`run-exp status ${name} --out ${out}\`, then \`run-exp report ${name} --out ${out}\``;
}

/** The array was submitted and is watched. */
export function submittedWatched(jobId: string, trials: number, atOnce: number): string {
  return `submitted Slurm job ${jobId}: ${plural(trials, 'trial')} as array tasks 0-${trials - 1}, at most ${atOnce} at once (Ctrl-C cancels it)`;
}

/** Slurm could not be asked about the array (said once, then once a minute). */
export function slurmUnreachable(jobId: string, forSeconds: number | undefined, error: string, pollSeconds: number): string {
  const since = forSeconds === undefined ? '' : ` (for ${forSeconds} s)`;
  return `could not read the state of Slurm job ${jobId}${since}: ${error}; trying again every ${pollSeconds} s (Ctrl-C stops watching and cancels the array)`;
}

/** Slurm answers again. */
export function slurmAnswersAgain(jobId: string, afterSeconds: number): string {
  return `Slurm answers again about job ${jobId} (after ${afterSeconds} s)`;
}

/** Ctrl-C cancelled the array. */
export function cancelledArray(jobId: string): string {
  return `cancelled Slurm job ${jobId}`;
}

/** Ctrl-C cancelled the array, but Slurm took long to take its tasks down. */
export function cancelledArraySlowly(jobId: string, waitedSeconds: number): string {
  return `cancelled Slurm job ${jobId}, but some of its tasks were still ending after ${waitedSeconds} s (see squeue -j ${jobId})`;
}

/** scancel failed. */
export function couldNotCancel(jobId: string, error: string): string {
  return `could not cancel Slurm job ${jobId}: ${error}; cancel it yourself: scancel ${jobId}`;
}

// A Slurm task's log (its stderr), about checkpoints and requeues.

/** USR1 came: the time limit is near. */
export function taskNearLimit(checkpoints: boolean): string {
  return checkpoints
    ? 'USR1 (the time limit is near): a checkpoint at the next chunk boundary, then this task requeues itself'
    : 'USR1 (the time limit is near): no checkpoints (checkpoint.every: never), so the trial trains on until Slurm ends it';
}

/** SIGTERM came (scancel, a requeue, the time limit, preemption): what the task does now. */
export function taskTerminated(id: string, steps: number, then: 'checkpoint' | 'end' | 'requeued'): string {
  const what = { checkpoint: `a checkpoint at the next chunk boundary; trial ${id} keeps ${count(steps)} steps of metrics so far`, end: `trial ${id} keeps ${count(steps)} steps of metrics`, requeued: 'its checkpoint is written' }[then];
  return `SIGTERM (cancelled, requeued, past its time limit or preempted): ${what}`;
}

/** No chunk boundary came in time after SIGTERM. */
export function taskNoBoundary(seconds: number, step: number | null): string {
  return `no chunk boundary within ${seconds} s: ending without a new checkpoint (${step === null ? 'it has none' : `the one at step ${count(step)} stands`})`;
}

/** The checkpoint a signal asked for is written. */
export function taskCheckpointWritten(step: number): string {
  return `checkpoint at step ${count(step)} written`;
}

/** The task requeued itself. */
export function taskRequeued(index: number, jobId: string): string {
  return `requeued task ${index} of job ${jobId}: Slurm starts it again later, and it goes on from this checkpoint`;
}

/** The task could not requeue itself. */
export function taskNotRequeued(index: number, jobId: string, error: string): string {
  return `could not requeue task ${index} of job ${jobId} (${error}); training goes on, and a re-run goes on from this checkpoint`;
}

// `run-exp status`: notes on a trial's checkpoint.

/** A finished trial went on from a checkpoint. */
export function resumedNote(step: number): string {
  return `resumed from step ${count(step)}`;
}

/** An unfinished trial has a checkpoint; a waiting one resumes from it. */
export function checkpointNote(step: number, waiting: boolean): string {
  return `checkpoint at step ${count(step)}${waiting ? ': it resumes from there' : ''}`;
}

/** Slurm requeued the trial's task, which waits to start again. */
export function requeuedNote(restarts: number, reason: string): string {
  return `requeued by Slurm (restart ${restarts}), waiting to start again${reason === 'None' ? '' : ` (${reason})`}`;
}

// The report and the end.

/** The report stage begins. */
export function buildingReport(file: string): string {
  return `building the report ${file} …`;
}

/** A stored result the report leaves out (damaged), or a folder it does not show. */
export function unreadResult(damaged: boolean, problem: string): string {
  return `warning: ${damaged ? 'damaged results, left out of the report' : 'not shown in the report'}: ${problem}`;
}

/** The report stage failed. */
export function reportFailed(error: string): string {
  return `the report could not be built: ${error}`;
}

/** `run-exp report` or `compare` could not write its page (`what`: "the report", "the comparison"): nothing was written. */
export function pageNotWritten(what: string, fault: string): string {
  return `${what} could not be written: ${fault}; nothing was written`;
}

/** The expectations could not be checked. */
export function expectationsFailed(error: string): string {
  return `the expectations could not be checked: ${error}`;
}

/** A signal stopped the trials; `livePage`: the live report, closed as it was (see liveClosed). */
export function interruptedRun(finished: number, total: number, livePage?: string): string {
  const page = livePage === undefined ? '' : `; ${livePage} shows the run as it was when interrupted`;
  return `interrupted: ${finished} of ${total} trials finished; run the same command again to resume (an unfinished trial goes on from its checkpoint)${page}`;
}

/** A signal stopped the report stage: the trials stay; `live`: the last live page stays, closed. */
export function interruptedReport(signal: string | undefined, finished: number, total: number, dir: string, file: string, name: string, out: string, live = false): string {
  const page = live ? `the final report was not written (${file} shows the run as it was before)` : `${file} was not written`;
  return `interrupted (${signal}) before the report was written: ${finished} of ${total} trials finished and are kept in ${dir}; ${page} (build it with \`run-exp report ${name} --out ${out}\`)`;
}

/** A live page of the report could not be written: no more are, the final report is still written at the end. */
export function liveReportFailed(file: string, error: string): string {
  return `warning: the live report ${file} could not be written: ${error}; it is not rewritten while the run goes on (the final report is written at the end)`;
}

export function noRoomForLivePage(page: string, free: string, reserve: string): string {
  return `the page (${page}) and the ${reserve} the trials still write by the plan's estimate need more than the ${free} free on the disk`;
}

/** The banner of the last live page when the run ended without its final report (HTML-escaped by the caller). */
export function liveClosed(how: { interrupted: string } | { reportFailed: string } | { stopped: string }, at: Date, name: string, out: string): { title: string; text: string } {
  const rebuild = `\`run-exp report ${name} --out ${out}\` builds the report of what finished`;
  if ('stopped' in how) {
    return { title: 'Stopped', text: `The run stopped at ${at.toISOString().slice(0, 19).replace('T', ' ')} UTC, at its first write that failed (${how.stopped}): this page shows it as it was then. Run the same command again to resume once the disk can be written; ${rebuild}.` };
  }
  if ('interrupted' in how) {
    return { title: 'Interrupted', text: `The run was interrupted (${how.interrupted}) at ${at.toISOString().slice(0, 19).replace('T', ' ')} UTC, before its final report: this page shows it as it was then. Run the same command again to resume; ${rebuild}.` };
  }
  return { title: 'The final report could not be built', text: `The run ended at ${at.toISOString().slice(0, 19).replace('T', ' ')} UTC, but its final report could not be built (${how.reportFailed}): this page shows the run as it was before. ${rebuild}.` };
}

/** DIR/index.html could not be written: the run's results are not affected. */
export function indexFailed(file: string, error: string): string {
  return `warning: the index ${file} could not be written: ${error}; the results are not affected (\`run-exp report NAME\` writes it again)`;
}

/** A worker where the kernel cannot run trains the trials that ask for it on tfjs: on its stderr, and once in a run. */
export function kernelFallback(why: string): string {
  return `engine: the kernel cannot run in this process (${why}); trials that ask for it train on the tfjs engine, the same steps to float32 rounding, slower (their summary says engine: tfjs, and why)`;
}
