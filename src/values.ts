// How a trial's values read as text wherever they are shown: progress lines, the end table, missed expectations,
// the plan (--dry-run) and the report.

/** A value as text: strings bare, numbers and booleans as they are, mappings and lists as YAML writes them in flow style ({W2: 0.01, b2: 0}). */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return flow(value);
}

/** YAML's flow style, as an experiment file would spell the value: `{schedule: step, drops: [{at: 100, lr: 0.01}]}`. */
function flow(value: unknown): string {
  if (typeof value === 'string') return /^[A-Za-z_][\w.-]*$/.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${flow(k)}: ${flow(v)}`).join(', ')}}`;
  }
  return String(value);
}

// Plain words YAML would read as something other than a string.
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

/** The values that vary, as "loss=manual train.lr=0.1" ("" when none vary). */
export function describeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
}
