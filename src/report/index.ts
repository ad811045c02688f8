// The report: one self-contained Vega-Lite HTML file. (Stub: issue 5 replaces this.)

/** Build DIR/NAME.html from the stored results in DIR/NAME/; returns the path written. */
export async function writeReport(out: string, name: string): Promise<string> {
  throw new Error(`writeReport is not implemented yet (${out}/${name})`);
}
