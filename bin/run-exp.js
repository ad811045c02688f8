#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// Signals are handled from the first line on (a module without imports): loading the CLI takes a moment.
import { interruptBeforeStart } from '../dist/src/signals.js';

interruptBeforeStart();
const { main } = await import('../dist/src/cli.js');
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
