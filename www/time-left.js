// How long a run has left, from how fast its work has gone lately. No DOM here: the browser
// tests import it as it is.
//
// A run's speed is judged by its units of work (the library's Progress.units: a training step,
// a WGAN's critic or generator step, a slice of a held-out pass), not by the steps it reports:
// a WGAN's chunk of a few critic steps reports no step and the one that ends on a generator
// step reports one, so a chunk's reported steps over its time overstated the speed up to
// critic_steps + 1 times (the first estimate said 22–25 s of a run that took 100–113 s). And
// over the last few seconds rather than the whole run, or a smoothing of every chunk: the first
// chunks pay for compiling and warming up, and an estimate that remembers them stays too long.

/** The span of recent chunks the speed is judged over, at most; early in a run, the later
 * half of what has been timed (the first chunks run on V8's baseline code until its optimizing
 * compiler has caught up). */
export const WINDOW_MS = 5000;
/** No estimate before this much of the run has been timed (after its first chunk): a few
 * chunks of a few units say little, and a phase's first second runs slower than the rest on a
 * busy machine (the page and the browser finishing the phase before). Replayed on the chunks of
 * six one-press runs (bench.json), 2 s instead of 1 s brought the worst first estimate from
 * +32% to +28% and left one phase of 18 over ±30% instead of two. */
export const FIRST_ESTIMATE_MS = 2000;

export class TimeLeft {
  constructor() {
    this.chunks = [];          // the timed chunks in the window: {units, ms}
    this.timedMs = 0;          // all the time timed (every chunk but the first)
    this.units = 0;            // units done since the run began
    this.steps = 0;            // steps reported since the run began
    this.seen = 0;             // chunks seen
  }

  /** One chunk: its progress event (`units`, `losses`: the steps it reported) and the time it
   * took, ms. The first chunk of a run is counted but not timed (it pays for shader
   * compilation and the first allocations). */
  add(p, ms) {
    const units = p.units ?? p.losses.length;
    this.units += units;
    this.steps += p.losses.length;
    if (this.seen++ === 0 || !(ms > 0) || units === 0) return;
    this.timedMs += ms;
    this.chunks.push({ units, ms });
  }

  /** The recent chunks the speed is judged on: the later half of the time timed, at most
   * WINDOW_MS, at least two chunks. */
  recent() {
    const span = Math.min(WINDOW_MS, this.timedMs / 2);
    let ms = 0;
    let i = this.chunks.length;
    while (i > 0 && (ms < span || this.chunks.length - i < 2)) ms += this.chunks[--i].ms;
    const recent = this.chunks.slice(i);
    // Once the window is WINDOW_MS for good, older chunks are never needed again.
    if (this.timedMs > 2 * WINDOW_MS) this.chunks = recent;
    return recent;
  }

  /** Units of work per ms lately, or null before enough is timed. */
  get rate() {
    if (this.timedMs < FIRST_ESTIMATE_MS || this.chunks.length < 2) return null;
    const recent = this.recent();
    const units = recent.reduce((sum, c) => sum + c.units, 0);
    const ms = recent.reduce((sum, c) => sum + c.ms, 0);
    return units / ms;
  }

  /** Seconds left for a run at `step` of `totalSteps`, or null before an estimate can be made.
   * `unitsPerStep`: the units one step takes (a WGAN's critic steps and its generator step),
   * used until the run's own ratio (held-out passes included) is known. */
  seconds(step, totalSteps, unitsPerStep = 1) {
    const rate = this.rate;
    if (rate === null) return null;
    const perStep = this.steps > 0 ? Math.max(unitsPerStep, this.units / this.steps) : unitsPerStep;
    return (Math.max(0, totalSteps - step) * perStep) / rate / 1000;
  }
}
