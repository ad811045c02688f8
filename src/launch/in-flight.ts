// Flow control of a trial's rows: the trainer hands each chunk's rows of metrics.jsonl to whoever writes them (the
// parent, over IPC, for a local worker; its own TrialWriter in a Slurm task) and trains on while fewer than
// CHUNKS_IN_FLIGHT chunks are unwritten; past that, it waits for the oldest. Without it, a trainer faster than the
// disk (the kernel: ~280 chunks a second) queued rows without bound, in the worker's IPC channel and in the writer.

/** Chunks whose rows may be handed over and not yet written: the next chunk trains while the last one is written. */
export const CHUNKS_IN_FLIGHT = 2;

/** The writes of a trial's chunks still in flight, oldest first. */
export class InFlight {
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly limit = CHUNKS_IN_FLIGHT) {}

  /** Hand over one chunk's write; resolves once fewer than `limit` are in flight (this one included), so the next may go. */
  async add(written: Promise<void>): Promise<void> {
    this.pending.push(written);
    while (this.pending.length >= this.limit) await this.pending.shift();
  }
}
