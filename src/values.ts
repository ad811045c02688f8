// How a trial's values read as text wherever they are shown: progress lines, the end table, missed expectations,
// the plan (--dry-run) and the report.

/** A value as text: strings bare, numbers and booleans as they are, anything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** The values that vary, as "loss=manual train.lr=0.1" ("" when none vary). */
export function describeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
}
