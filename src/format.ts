// Numbers, durations and times as the report writes them.

/** A loss with 4 decimals, or an em dash when there is none. */
export function formatLoss(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '—';
}

/** A duration in words: "0.8 s", "42 s", "3 min 12 s", "1 h 02 min". */
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

/** A count with thousands separators: "84,000". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
