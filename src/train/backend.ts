// Which TensorFlow.js backend trains: tfjs-node when it loads, else WASM (one thread, its binaries from the npm
// package, offline), else the pure-JS CPU backend. `--backend` forces one.
// TF.js comes as its core and these backends, not the whole @tensorflow/tfjs bundle: the layers, converter, data and
// WebGL packages that the bundle also loads are of no use here, and leaving them out starts a worker ≈ 0.5 s sooner.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu'; // importing it registers the 'cpu' backend
import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../types.js';

/** The backend that runs, as the summary reports it. */
export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu'; // tf.getBackend()
  version: string; // e.g. "tfjs 4.22.0, tfjs-backend-wasm 4.22.0 (simd, 1 thread)"
}

// One thread, to compare fairly with PyTorch at torch.set_num_threads(1), and because trials run in parallel
// worker processes anyway.
const WASM_THREADS = 1;

// tfjs-node is an optional dependency that is usually absent: its name is a variable so that TypeScript does not
// need its types, and so that a missing package is an ordinary rejected import.
const TFJS_NODE = '@tensorflow/tfjs-node';

/** Set up the requested backend (auto: node → wasm → cpu) in prod mode, and say which one runs. */
export async function initBackend(requested: BackendName): Promise<BackendInfo> {
  switch (requested) {
    case 'auto':
      return (await tryNode()) ?? (await tryWasm()) ?? (await useCpu());
    case 'node':
      return (await tryNode()) ?? fail('node', `${TFJS_NODE} did not load (it is an optional dependency; install it, or use --backend wasm)`);
    case 'wasm':
      return (await tryWasm()) ?? fail('wasm', 'the WASM backend did not initialise');
    case 'cpu':
      return useCpu();
    default:
      throw new Error(`--backend: expected auto, node, wasm or cpu, found ${JSON.stringify(requested satisfies never)}: not recognised`);
  }
}

function fail(name: string, why: string): never {
  throw new Error(`--backend: expected a usable backend "${name}", found that ${why}`);
}

/** tfjs-node registers the 'tensorflow' backend when it is imported; null when it cannot be imported. */
async function tryNode(): Promise<BackendInfo | null> {
  let node: { version?: Record<string, string> };
  try {
    node = (await import(TFJS_NODE)) as typeof node;
  } catch {
    return null; // absent or without libtensorflow: fall back quietly
  }
  if (!(await select('tensorflow'))) return null;
  return { name: 'tensorflow', version: `tfjs ${tf.version_core}, tfjs-node ${node.version?.['tfjs-node'] ?? '?'}` };
}

/** The WASM backend, with the .wasm files read from the package's dist/ folder (no network). */
async function tryWasm(): Promise<BackendInfo | null> {
  try {
    if (tf.getBackend() !== 'wasm') {
      const require = createRequire(import.meta.url);
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      setWasmPaths(dist + path.sep);
      setThreadsCount(WASM_THREADS);
    }
    if (!(await select('wasm'))) return null;
  } catch {
    return null;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'simd' : 'no simd';
  const threads = getThreadsCount();
  return {
    name: 'wasm',
    version: `tfjs ${tf.version_core}, tfjs-backend-wasm ${version_wasm} (${simd}, ${threads} thread${threads === 1 ? '' : 's'})`,
  };
}

async function useCpu(): Promise<BackendInfo> {
  if (!(await select('cpu'))) fail('cpu', 'the CPU backend did not initialise');
  return { name: 'cpu', version: `tfjs ${tf.version_core}, tfjs-backend-cpu ${version_cpu}` };
}

/** Switch to a registered backend; prod mode skips the per-op NaN checks of debug mode. */
async function select(name: string): Promise<boolean> {
  const ok = await tf.setBackend(name);
  if (!ok) return false;
  await tf.ready();
  tf.enableProdMode();
  return true;
}
