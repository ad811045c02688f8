// The layout of src/: its parts (each folder, each top-level file) import each other in no cycle, so lower stages
// never import higher ones (config → train → store → launch → report, expect → run.ts → terminal → cli.ts). Type-only
// imports count: a cycle of types is a cycle of meaning.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './paths.js';

const SRC = path.join(ROOT, 'src');

/** Every import of a module: static, dynamic, type-only and re-exports, as written. */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm)) specs.push(m[2]!);
  return specs;
}

/** The part of src/ a file belongs to: its top-level folder, or itself when it sits at the top. */
function partOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? first! : `${first}/`;
}

/** part → the parts it imports, each with one import that shows it (file: specifier). */
function partGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(SRC, f));
  for (const file of files) {
    const from = partOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue; // a package
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      if (!target.startsWith(SRC + path.sep)) continue;
      const to = partOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${path.relative(ROOT, file)}: '${spec}'`);
    }
  }
  return graph;
}

/** The strongly connected components of more than one part (Tarjan): each is a cycle, or several. */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

describe('the layout of src/', () => {
  it('reads every kind of import: static, type-only, dynamic and re-exports', () => {
    const text = ["import { a } from './a.js';", "import type { B } from '../b.js';", "const c = await import('./c.js');", "export { d } from './d.js';", "import './e.js';"].join('\n');
    assert.deepEqual(importsOf(text), ['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  });

  it('has no cycle between its folders and top-level files', () => {
    const graph = partGraph();
    assert.ok(graph.has('config/') && graph.has('cli.ts'), `expected the parts of src/, got ${[...graph.keys()].join(', ')}`);
    const found = cycles(graph).map((component) => {
      const edges = component.flatMap((from) => component.filter((to) => graph.get(from)?.has(to)).map((to) => `  ${from} → ${to} (${graph.get(from)!.get(to)})`));
      return `${component.join(' ↔ ')}:\n${edges.join('\n')}`;
    });
    assert.deepEqual(found, [], `parts of src/ that import each other in a cycle (a lower stage imports a higher one):\n${found.join('\n')}`);
  });
});
