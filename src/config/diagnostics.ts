// A configuration error as data: where it is, which key, what was expected and what was found.

/** One problem with the experiment or the command line, located in the YAML file or in a --set. */
export interface Diagnostic {
  file: string; // the YAML file as given, or the --set text when the value came from an override
  line: number; // 1-based; 0 when the location is an override
  col: number; // 1-based; 0 when the location is an override
  path: string; // dotted key path, e.g. "train.batch_size" ("" for the whole document)
  message: string; // "expected X, got Y" and, where it helps, a suggestion
}

/** `FILE:LINE:COL KEY.PATH: message` (an override is located by its `--set KEY=VALUE` text). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  return d.path === '' ? `${where}: ${d.message}` : `${where} ${d.path}: ${d.message}`;
}

/** File order: by line and column, overrides last, then by key path. */
function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic) => (d.line > 0 ? 0 : 1);
  return [...list].sort(
    (a, b) => rank(a) - rank(b) || a.line - b.line || a.col - b.col || a.path.localeCompare(b.path) || a.message.localeCompare(b.message),
  );
}

/** Drop exact repeats (the same problem found twice, e.g. in two grid combinations). */
function uniqueDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = formatDiagnostic(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Thrown by the config stages when the input is bad; carries every problem found, in file order. */
export class ConfigError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const sorted = sortDiagnostics(uniqueDiagnostics(diagnostics));
    super(sorted.map(formatDiagnostic).join('\n'));
    this.name = 'ConfigError';
    this.diagnostics = sorted;
  }
}
