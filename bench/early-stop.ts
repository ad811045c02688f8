// The parent's early-stopping bookkeeping at scale: the median rule asked after every evaluation of every trial, with
// no trial stopped (the most work: every trial stays in every comparison). Each decision costs a binary search per
// other trial (running averages kept as prefix sums), so a sweep's decisions take O(trials² × evaluations × log).
//
// usage: node dist/bench/early-stop.js [--sizes 100x200,300x500]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { EarlyStopper } from '../src/launch/early-stop.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100x200,300x500' } } });
console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const size of values.sizes.split(',')) {
  const [trials, evaluations] = size.split('x').map(Number) as [number, number];
  const stopper = new EarlyStopper({ method: 'median', metric: 'dev_loss', grace: 100, min_trials: 3 });
  let stops = 0;
  const t0 = performance.now();
  for (let k = 1; k <= evaluations; k++) {
    for (let t = 0; t < trials; t++) {
      stopper.observe(`t${t}`, [{ step: 100 * k, split: 'dev', loss: 2 + 3 / k }]); // all alike: none is worse than the median
      if (stopper.decide(`t${t}`, 100 * k).stop) stops += 1;
    }
  }
  const ms = performance.now() - t0;
  console.log(`${trials} trials × ${evaluations} evaluations: ${(ms / 1000).toFixed(2)} s for ${trials * evaluations} decisions (${((ms * 1000) / (trials * evaluations)).toFixed(1)} µs each), ${stops} stopped`);
}
