// The launcher of an experiment's executor: the pipeline asks for one by executor.kind and names neither.
import type { Executor } from '../config/schema.js';
import type { Launcher } from './launcher.js';
import { localLauncher, type LocalOptions } from './local/launcher.js';
import { slurmLauncher } from './slurm/launcher.js';

export type { Launcher, LaunchEvents, LaunchOutcome, LaunchRequest } from './launcher.js';

/** The launcher of `kind`; `local` carries the local pool's worker (tests give fixture workers). */
export function launcherFor(kind: Executor['kind'], local: LocalOptions = {}): Launcher {
  switch (kind) {
    case 'local':
      return localLauncher(local);
    case 'slurm':
      return slurmLauncher();
    default:
      throw new Error(`executor.kind: expected local or slurm, got ${JSON.stringify(kind satisfies never)}: not recognised`);
  }
}
