// The time left (www/time-left.js) on simulated runs, chunk by chunk as the worker sizes them:
// a WGAN whose chunks report generator steps irregularly (the estimate that said 22–25 s of a
// 100–113 s run), and an autoencoder whose first chunks are slow (the one 1.9× too long).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeLeft, FIRST_ESTIMATE_MS } from '../../www/time-left.js';

/**
 * Runs a simulated phase of `totalUnits` units, `unitsPerStep` of them behind each reported
 * step, where unit `i` takes `msOf(i)`; chunks grow as worker.js grows them (doubling towards
 * 120 ms). Returns every estimate as {left: true seconds left, estimate}.
 */
function simulate({ totalUnits, unitsPerStep, msOf }) {
  const timeLeft = new TimeLeft();
  const totalSteps = Math.floor(totalUnits / unitsPerStep);
  let done = 0;
  let units = 1;
  let now = 0;
  const chunks = [];
  while (done < totalUnits) {
    const n = Math.min(units, totalUnits - done);
    let ms = 0;
    let steps = 0;
    for (let i = done; i < done + n; i++) {
      ms += msOf(i);
      if ((i + 1) % unitsPerStep === 0) steps++;
    }
    done += n;
    now += ms;
    chunks.push({ p: { units: n, losses: new Array(steps).fill(0) }, ms, now, step: Math.floor(done / unitsPerStep) });
    units = Math.max(1, Math.min(units * 2, Math.round(120 / (ms / n)), 500));
  }
  const end = now;
  return chunks.map(({ p, ms, now: at, step }) => {
    timeLeft.add(p, ms);
    return { left: (end - at) / 1000, estimate: timeLeft.seconds(step, totalSteps, unitsPerStep) };
  });
}

/** The worst relative error of the estimates made with at least `from` seconds truly left. */
function worst(estimates, from = 5) {
  const judged = estimates.filter((e) => e.estimate !== null && e.left >= from);
  assert.ok(judged.length > 10, 'enough estimates to judge');
  return Math.max(...judged.map((e) => Math.abs(e.estimate - e.left) / e.left));
}

test('a WGAN whose chunks report generator steps irregularly is estimated within 10% from the first estimate on', () => {
  // 10 critic steps and a generator step, 9 ms each: ~100 s, as the tuned WGAN ran in the page.
  const estimates = simulate({ totalUnits: 1200 * 11, unitsPerStep: 11, msOf: (i) => (i === 0 ? 400 : 7.5) });
  const first = estimates.findIndex((e) => e.estimate !== null);
  assert.ok(first > 0, 'no estimate from the first chunk');
  assert.ok(worst(estimates) < 0.1, `worst error ${worst(estimates)}`);
  const e = estimates[first];
  assert.ok(Math.abs(e.estimate - e.left) / e.left < 0.1, `first estimate ${e.estimate} s of ${e.left} s`);
});

test('an autoencoder whose first chunks are slow is estimated within 30% from the first estimate on', () => {
  // The first 0.6 s of steps run at a third of the speed (V8's baseline code, until its
  // optimizing compiler has caught up), then 25 ms a step: ~75 s in all.
  let spent = 0;
  const estimates = simulate({ totalUnits: 3000, unitsPerStep: 1, msOf: (i) => {
    const ms = spent < 600 ? 75 : 25;
    spent += ms;
    return i === 0 ? 300 : ms;
  } });
  assert.ok(worst(estimates) < 0.3, `worst error ${worst(estimates)}`);
  // Once the slow start is out of the window, within 5%.
  assert.ok(worst(estimates.filter((e) => e.left < 65)) < 0.05);
});

test('no estimate until a second of the run has been timed after its first chunk', () => {
  const timeLeft = new TimeLeft();
  timeLeft.add({ units: 1, losses: [0] }, 500);
  for (let i = 0; i < 5; i++) timeLeft.add({ units: 1, losses: [0] }, (FIRST_ESTIMATE_MS - 1) / 5);
  assert.equal(timeLeft.seconds(6, 100), null);
  timeLeft.add({ units: 1, losses: [0] }, 10);
  assert.ok(timeLeft.seconds(7, 100) > 0);
});
