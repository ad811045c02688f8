// Progress display: bars on a terminal, plain lines elsewhere, nothing when quiet; colour only where the terminal has it.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import tty from 'node:tty';
import { describe, it } from 'node:test';
import { useColor } from '../../src/terminal/style.js';
import { createProgressDisplay } from '../../src/terminal/progress.js';
import type { Summary } from '../../src/types.js';
import { fixturePlan } from '../e2e/helpers.js';

/** A stream that records what is written; a terminal when asked. */
function fakeStream(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns: 160 });
  return { stream, text: () => text };
}

const plan = fixturePlan('bars', [{ behave: 'sleep', ms: 10 }, { behave: 'ok' }]);
const [first, second] = plan.trials as [(typeof plan.trials)[0], (typeof plan.trials)[0]];
const ok = { id: first.id, status: 'ok', final: { train_loss: 2.31, dev_loss: 2.35, test_loss: null }, seconds: 4.2 } as Summary;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createProgressDisplay', () => {
  it('draws an overall bar and a bar per running trial with step/total, loss, steps/s and ETA on a terminal', async () => {
    const { stream, text } = fakeStream(true);
    const reporter = createProgressDisplay({ stream, quiet: false, color: false, trials: plan.trials });
    reporter.start(first);
    reporter.start(second);
    reporter.progress(first, { step: 10, steps: 20, loss: 2.5, steps_per_s: 140 });
    await wait(450);
    assert.match(text(), /0\/2 trials .* 25% \| ETA /);
    assert.match(text(), /t0-sleep behave=sleep ms=10 .* 10\/20 \| loss 2\.5000 \| 140 steps\/s \| ETA /);
    assert.match(text(), /t1-ok behave=ok .* 0\/20 \| loss - \| - steps\/s/);
    reporter.end(first, ok);
    await wait(450);
    reporter.stop();
    assert.match(text(), /t0-sleep behave=sleep ms=10: ok, train 2\.3100 dev 2\.3500, 4\.2s\n/);
    assert.match(text(), /1\/2 trials/);
  });

  it('writes plain lines at the start, at intervals, and at the end when not on a terminal', async () => {
    const { stream, text } = fakeStream(false);
    const reporter = createProgressDisplay({ stream, quiet: false, color: false, trials: plan.trials, intervalMs: 100 });
    reporter.start(first);
    reporter.progress(first, { step: 10, steps: 20, loss: 2.5, steps_per_s: 5 });
    await wait(250);
    reporter.end(first, ok);
    reporter.stop();
    const lines = text().split('\n');
    assert.equal(lines[0], '[1/2] start t0-sleep behave=sleep ms=10');
    assert.equal(lines[1], 't0-sleep: step 10/20, loss 2.5000, 5 steps/s, ETA 2.0s');
    assert.equal(lines.at(-2), '[1/2] t0-sleep behave=sleep ms=10: ok, train 2.3100 dev 2.3500, 4.2s');
    assert.doesNotMatch(text(), /\x1b\[/);
  });

  it('writes nothing when quiet', () => {
    const { stream, text } = fakeStream(true);
    const reporter = createProgressDisplay({ stream, quiet: true, color: false, trials: plan.trials });
    reporter.note('skipping');
    reporter.start(first);
    reporter.end(first, ok);
    reporter.stop();
    assert.equal(text(), '');
  });
});

describe('useColor', () => {
  const terminal = { isTTY: true, hasColors: tty.WriteStream.prototype.hasColors } as unknown as NodeJS.WriteStream;
  const cases = [
    { title: 'colours a colour terminal', env: { TERM: 'xterm-256color' }, stream: terminal, color: true },
    { title: 'honours NO_COLOR', env: { TERM: 'xterm-256color', NO_COLOR: '1' }, stream: terminal, color: false },
    { title: 'does not colour a pipe', env: { TERM: 'xterm-256color' }, stream: { isTTY: false } as NodeJS.WriteStream, color: false },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const saved = { ...process.env };
      for (const k of ['NO_COLOR', 'FORCE_COLOR', 'NODE_DISABLE_COLORS', 'CI', 'TERM']) delete process.env[k];
      Object.assign(process.env, c.env);
      try {
        assert.equal(useColor(c.stream), c.color);
      } finally {
        process.env = saved;
      }
    });
  }
});
