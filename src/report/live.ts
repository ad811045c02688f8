// The live report: while a run trains, its report DIR/NAME.html is rewritten from what is stored so far and what the
// launcher tells of the running trials, so that a browser that has it open follows the run (the page reloads itself,
// see html/live.ts). The run's own process writes it (src/run.ts feeds it the launcher's events); it never costs the run
// more than a small share of the parent's time, and never fails the run.
//
// When a page is written: from the first trial event (a chunk trained, or a trial ended), then on later events, but
// not while the previous page is being built, and not sooner than max(MIN_INTERVAL_MS, d × (1 / SHARE − 1)) after the
// previous build of d ms ended: building takes at most SHARE of the parent's time, however large the experiment.
// Finished trials are read and checked once and kept (load.ts's cache): a page costs the trials that ended since the
// last one, the running trials' metrics and the page; the run's final report reuses them too.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../store/files.js';
import type { Progress, RunInfo, Summary, Trial } from '../types.js';
import { closeLivePage } from './html/live.js';
import type { writeReport } from './index.js';
import type { ResultCache } from './load.js';

/** Pages at most this often: "every few seconds". */
export const MIN_INTERVAL_MS = 3000;
/** Building live pages takes at most this share of the parent's time (the rest: the workers' messages, early stopping). */
export const SHARE = 0.05;

/** What a live report needs: where, which trials this run trains, the run's start, the report writer. */
export interface LiveOptions {
  out: string;
  name: string;
  trials: Trial[]; // the trials this run trains
  run: Omit<RunInfo, 'finished_at' | 'seconds'>; // this run, as it began
  write: typeof writeReport; // the report stage (tests give their own)
  signal: AbortSignal; // the run's: aborted, the page being built is dropped
  onFailure: (error: Error) => void; // a page could not be written: told once, and no more pages are written
  leaveFree?: number; // bytes the trials may still write (the plan's estimate): no page that would leave the disk less
  minIntervalMs?: number; // default MIN_INTERVAL_MS
  share?: number; // default SHARE
  now?: () => number; // default Date.now
}

/** What the live pages cost: how many were written, and the time spent building them. */
export interface LiveCost {
  pages: number;
  buildMs: number;
  longestMs: number;
}

/** The live pages of one run: tell it the launcher's events, stop it before the final report, close it when there is none. */
export class LiveReport {
  private readonly running = new Map<string, Progress>();
  /** The finished trials the pages have read and checked: the run's final report reads only the others. */
  readonly cache: ResultCache = new Map();
  private ended = 0;
  private building: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0; // no page before this time (ms)
  private intervalMs: number;
  private stopped = false;
  private wrote = false;
  readonly cost: LiveCost = { pages: 0, buildMs: 0, longestMs: 0 };

  constructor(private readonly options: LiveOptions) {
    this.intervalMs = options.minIntervalMs ?? MIN_INTERVAL_MS;
    options.signal.addEventListener('abort', () => this.abort?.abort(options.signal.reason), { once: true });
  }

  /** DIR/NAME.html */
  get file(): string {
    return path.join(this.options.out, `${this.options.name}.html`);
  }

  /** A chunk of a trial trained. */
  progress(trial: Trial, p: Progress): void {
    this.running.set(trial.id, p);
    this.poke();
  }

  /** A trial ended (its summary is written). */
  end(trial: Trial, _summary: Summary): void {
    this.running.delete(trial.id);
    this.ended += 1;
    this.poke();
  }

  /** No more pages: the one being built is dropped (nothing written, or written whole), and waited for. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort(new Error('the run has ended'));
    await this.building;
  }

  /**
   * After stop(), when the run ends without its final report (a signal, a report that could not be built): the last
   * live page, if one was written and is still the live one on disk, with its banner replaced by `title` and `text`
   * (HTML) so that it no longer reloads itself. Resolves to whether a page was closed.
   */
  async close(title: string, text: string): Promise<boolean> {
    if (!this.wrote) return false;
    try {
      const html = await readFile(this.file, 'utf8');
      const closed = closeLivePage(html, title, text);
      if (closed === html) return false; // not a live page (a `run-exp report` replaced it)
      await writeFileAtomic(this.file, closed);
      return true;
    } catch {
      return false; // the page stays as it was: its own clock says when it goes stale
    }
  }

  /** Build a page now if it is time and none is being built; else make sure one follows when it is. */
  private poke(): void {
    if (this.stopped || this.building !== undefined || this.options.signal.aborted) return;
    const now = (this.options.now ?? Date.now)();
    if (now < this.nextAt) {
      this.timer ??= setTimeout(() => ((this.timer = undefined), this.poke()), this.nextAt - now).unref();
      return;
    }
    this.building = this.build(now).finally(() => (this.building = undefined));
  }

  private async build(began: number): Promise<void> {
    const { out, name, run, trials } = this.options;
    const now = this.options.now ?? Date.now;
    this.abort = new AbortController();
    const written = new Date(began);
    const info = { written_at: written.toISOString(), started_at: run.started_at, reload_seconds: this.intervalMs / 1000 + 1, trials: trials.length, ended: this.ended };
    const seconds = (began - Date.parse(run.started_at)) / 1000;
    try {
      await this.options.write(out, name, { signal: this.abort.signal, live: { info, running: new Map(this.running), run: { ...run, finished_at: info.written_at, seconds }, ...(this.options.leaveFree === undefined ? {} : { leaveFree: this.options.leaveFree }) }, cache: this.cache });
      this.wrote = true;
    } catch (error) {
      if (this.abort.signal.aborted) return; // stopped: the page was dropped, or written whole
      this.stopped = true;
      this.options.onFailure(error as Error);
      return;
    } finally {
      const ms = now() - began;
      this.cost.buildMs += ms;
      this.cost.longestMs = Math.max(this.cost.longestMs, ms);
      // The next page no sooner than the share allows: building d ms, then waiting d × (1/share − 1).
      this.intervalMs = Math.max(this.options.minIntervalMs ?? MIN_INTERVAL_MS, ms * (1 / (this.options.share ?? SHARE) - 1));
      this.nextAt = now() + this.intervalMs;
    }
    this.cost.pages += 1;
  }
}
