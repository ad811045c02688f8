// The Slurm tests' cluster: whether one answers here (test/e2e/slurm/cluster.sh starts one), and how to wait on it.
import { existsSync } from 'node:fs';
import { execa } from 'execa';

/** How to start the test cluster, for skip messages. */
export const START_HINT = 'start one with `test/e2e/slurm/cluster.sh start` (as root; CI does)';

/**
 * Why the Slurm tests cannot run here, or false when a cluster answers: sbatch on PATH, a configuration, a controller
 * that is up. Quick: without a configuration Slurm's commands retry for a minute, so that is checked first.
 */
export async function noCluster(): Promise<string | false> {
  const conf = process.env['SLURM_CONF'] ?? '/etc/slurm/slurm.conf';
  const which = await execa('sh', ['-c', 'command -v sbatch'], { reject: false });
  if (which.exitCode !== 0) return `no Slurm cluster: sbatch is not on PATH; ${START_HINT}`;
  if (!existsSync(conf)) return `no Slurm cluster: no configuration at ${conf}; ${START_HINT}`;
  const ping = await execa('scontrol', ['ping'], { reject: false, timeout: 15_000 });
  if (ping.exitCode !== 0 || !/\bUP\b/.test(ping.stdout)) return `no Slurm cluster: \`scontrol ping\` says ${JSON.stringify((ping.stdout + ping.stderr).trim().split('\n')[0])}; ${START_HINT}`;
  return false;
}

/**
 * The skip option of a Slurm test suite: a reason where no cluster runs, so that the suite shows as skipped with it.
 * In CI (CI=true) a cluster must run, so there the suite is not skipped and its first test fails instead.
 */
export async function skipWithoutCluster(): Promise<string | false> {
  const reason = await noCluster();
  if (reason !== false && process.env['CI'] === 'true') return false;
  return reason;
}

/** Fail a test when no cluster runs (in CI the suite runs even then: this says why it fails). */
export async function requireCluster(): Promise<void> {
  const reason = await noCluster();
  if (reason !== false) throw new Error(`CI=true but ${reason}`);
}

/** Poll `check` every 100 ms until it returns a value (not undefined), or fail after `ms`. */
export async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  for (const t0 = Date.now(); ; ) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - t0 > ms) throw new Error(`gave up after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The JobState of one job (or array task) in `scontrol show job -o`, or undefined when Slurm has no record of it. */
export async function jobState(id: string): Promise<string | undefined> {
  const shown = await execa('scontrol', ['show', 'job', '-o', id], { reject: false });
  return /JobState=(\S+)/.exec(shown.stdout)?.[1];
}
