// Escaping for the two places strings from the YAML or the data land: HTML text/attributes, and inline JSON.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value, safe inside HTML: `<script>` shows as text. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` element: every `<` becomes \u003c, so no `</script>` or `<!--`
 * in the data can end the element early; JSON.parse reads the same value back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A library's source for an inline `<script>`; refuses one that contains `</script` (it would end the element). */
export function inlineScript(name: string, source: string): string {
  if (/<\/script/i.test(source)) throw new Error(`${name}: cannot be inlined: its source contains "</script"`);
  return `<script>/* ${escapeHtml(name)} */\n${source}\n</script>`;
}
