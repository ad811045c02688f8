// The worker process that runs real trials: the training engine behind the protocol of protocol.ts.
// Importing trainTrial loads TF.js once per process; the pool keeps this worker warm for the next trial.
import { trainTrial } from '../train/trial.js';
import { serveTrials } from './serve.js';

await serveTrials((trial, options) => trainTrial(trial.config, options));
