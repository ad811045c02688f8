// Numbers, losses, durations and times as text: the one place for them, used by the terminal and the report alike.
// Where the two show a thing differently, the names say how: a duration in a terminal column is formatDurationShort
// ("3m05s"), in the report's prose formatDuration ("3 min 05 s"), in an estimate formatDurationRough ("12 min").

/** A loss with 4 decimals, or `none` when there is no finite one: "-" in the terminal, an em dash in the report. */
export function formatLoss(v: number | null | undefined, none: '-' | '—' = '-'): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : none;
}

/** A duration for a terminal column: "0.8s", "42s", "3m05s", "1h02m" ("-" for none). */
export function formatDurationShort(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds); // rounded once, so 719.6 s is 12m00s, not 11m60s
  if (whole < 60) return `${whole}s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A duration in words, as the report writes it: "0.8 s", "42 s", "3 min 12 s", "1 h 02 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** An ISO time as "2026-11-28 07:00:00 UTC" (the same on every machine: no local time zone). */
export function formatTime(iso: string | null | undefined): string {
  if (typeof iso !== 'string') return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A start and end time, the end without its date when it is the same day: "2026-11-28 07:00 → 07:12 UTC". */
export function formatSpan(start: string | null | undefined, end: string | null | undefined): string {
  const a = formatTime(start);
  const b = formatTime(end);
  if (a.endsWith(' UTC') && b.endsWith(' UTC') && a.slice(0, 10) === b.slice(0, 10)) return `${a.slice(0, -4)} → ${b.slice(11)}`;
  return `${a} → ${b}`;
}

/** A rate with three significant digits: "2,950", "45.0", "0.812"; a dash for none (0: the trial never stepped). */
export function formatRate(v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return '—';
  return v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3);
}

/** A share of a total as a percentage: "21 %", "4.2 %" below 10 (a dash when the total is 0). */
export function formatShare(part: number, total: number): string {
  if (!(total > 0)) return '—';
  const p = (100 * part) / total;
  return `${p === 0 || p >= 10 ? Math.round(p) : p.toFixed(1)} %`;
}

/** An estimated duration, as rough as an estimate is: "45 s", "12 min", "3.5 h", "4.6 days". */
export function formatDurationRough(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** "800 KB", "12 MB", "45 GB" (powers of 1000). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (bytes >= 1000 && i < units.length - 1) (bytes /= 1000), (i += 1);
  return `${i === 0 || bytes >= 10 ? Math.round(bytes) : bytes.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}

/** A count with thousands separators: "84,000". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A mean over seeds with its sample sd: "2.1234 ± 0.0120" (losses: 4 decimals), the mean alone when there is no sd (one
 * seed), `none` when there is no mean.
 */
export function formatMeanSd(s: { mean: number; sd: number | null } | null | undefined, none: '-' | '—' = '—'): string {
  if (s === null || s === undefined) return none;
  return s.sd === null ? formatLoss(s.mean, none) : `${formatLoss(s.mean, none)} ± ${formatLoss(s.sd, none)}`;
}

/** A command-line argument as a POSIX shell needs it: bare when safe, else in single quotes. */
export function formatShellArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
