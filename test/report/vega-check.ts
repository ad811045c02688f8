// Every chart spec is checked the same way: valid against the Vega-Lite JSON schema, compiled by vega-lite without a
// warning, and run and rendered by vega's headless View without one. The report's, the comparison's and the index's.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Chart } from '../../src/report/charts/common.js';

const require = createRequire(import.meta.url);
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(require('vega-lite/vega-lite-schema.json') as object);

/** Check one chart: the schema, vega-lite's compiler and vega's renderer, none of them warning. */
export async function assertValidChart(chart: Chart): Promise<void> {
  const ok = validate(chart.spec);
  assert.ok(ok, `${chart.id}: not valid against the Vega-Lite schema: ${ajv.errorsText(validate.errors?.slice(0, 5))}`);
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger), info: () => logger, debug: () => logger, error: (...m: unknown[]) => { throw new Error(m.join(' ')); } };
  const compiled = compile(chart.spec, { logger: logger as never }).spec;
  assert.deepEqual(warnings, [], `${chart.id}: vega-lite warned`);
  const logged: string[] = [];
  // Node has no window for the zoom's drag events to listen on; that warning is the test's setting, not the spec's.
  const warn = (...m: unknown[]) => (/^Can not resolve event source: window$/.test(m.join(' ')) ? vegaLogger : (logged.push(m.join(' ')), vegaLogger));
  const vegaLogger = { level: () => vegaLogger, warn, info: () => vegaLogger, debug: () => vegaLogger, error: (...m: unknown[]) => (logged.push(m.join(' ')), vegaLogger) };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: vegaLogger as never, logLevel: vega.Warn });
  const svg = await view.toSVG();
  assert.match(svg, /<svg/, `${chart.id}: rendered no SVG`);
  assert.deepEqual(logged, [], `${chart.id}: vega warned`);
  view.finalize();
}
