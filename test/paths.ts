// Paths for tests: they run from dist/test/…, while fixtures and examples stay in the source tree.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (two levels above dist/test/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** test/fixtures in the source tree. */
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
/** The lecture's 32,033 names, for benchmarks and fidelity checks (outside the project; may be absent). */
export const SHARED_NAMES = path.resolve(ROOT, '../shared/data/names.txt');
