// The worker process that runs real trials: the training engine behind the protocol of protocol.ts.
// Importing trainTrial loads TF.js once per process; the pool keeps this worker warm for the next trial.

// Ctrl-C in a terminal reaches the whole process group, even while TF.js loads: the parent decides, and stops us.
process.on('SIGINT', () => {});
// A parent that dies while TF.js loads (half a second) ends us too: the watch starts before anything slow.
const { endWithParent } = await import('./parent-watch.js');
endWithParent();
const { trainTrial } = await import('../../train/trial.js');
const { serveTrials } = await import('./serve.js');

await serveTrials((trial, options) => trainTrial(trial.config, options));
