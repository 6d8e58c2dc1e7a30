// The one-press story: Train trains the autoencoder, then FlowAE's flow on its codes, then
// AdvAE's WGAN on the same codes, without another press, each with its section's settings. The
// paper's two samplers are what a visitor came to see; a Train that stopped after the
// autoencoder left them three presses and five minutes away.
import { RunDriver } from './runs.js';

/** The story's runs, in order: the autoencoder, then the two models of its codes. */
export const STORY = ['autoencoder', 'flow', 'wgan'];

/** What each step means for the pictures above, in the story's line. */
const STEP_WORDS = {
  autoencoder: 'the pictures above stay the models before it until a flow and a WGAN learn its codes.',
  flow: "FlowAE's picture is the new flow's, redrawn as it learns.",
  wgan: "AdvAE's picture is the new WGAN's, redrawn as it learns.",
};

export class Story {
  /**
   * `page`: `startRun(phase, config)`; `phase()`, the phase the worker runs; `read(name)`, a
   * model's settings as its section has them (null after marking a bad field); `say(text)`,
   * the story's line; `words(name)`, a model in words; `settled()`, told when the story ends.
   */
  constructor(page) {
    this.page = page;
    this.driver = new RunDriver(page);
    this.running = false;
    this.step = null;              // the step under way, in words
    /** Each run's start and end, ms since navigation (read by the tests and the benchmark). */
    this.times = {};
  }

  offer(msg) { this.driver.offer(msg); }

  /** The run under way reported `line` (its section's progress line): the story's line says
   * it too, so that the time left is in view beside the pictures. */
  progress(line) {
    if (this.running && this.step) this.page.say(`${this.step} ${line}.`);
  }

  /** Ends the story with `message` (the worker is gone, or the visitor pressed Reset). */
  abort(message) { this.driver.abort(message); }

  /** Runs the story. Every section's settings are read before the first run, so a bad one is
   * marked before minutes of training, not after. */
  async run() {
    const configs = STORY.map((name) => this.page.read(name));
    if (configs.some((c) => !c)) return;
    this.running = true;
    this.times = { pressed: performance.now() };
    try {
      for (const [i, name] of STORY.entries()) {
        this.step = `Step ${i + 1} of ${STORY.length}, ${this.page.words(name)}: ${STEP_WORDS[name] ?? ''}`;
        this.page.say(this.step);
        this.times[name] = { started: performance.now() };
        const ended = await this.driver.train(name, configs[i]);
        this.times[name].ended = performance.now();
        if (ended !== 'done') {
          this.page.say(`Stopped while training ${this.page.words(name)}: each section's Train button goes on from here.`);
          return;
        }
      }
      const seconds = (performance.now() - this.times.pressed) / 1000;
      this.page.say(`Trained ${STORY.map((n) => this.page.words(n)).join(', then ')} in ${Math.round(seconds)} s: the samples above are theirs.`);
    } catch (error) {
      this.page.say(`The run stopped: ${error.message}. Press Train to start again.`);
    } finally {
      this.running = false;
      this.step = null;
      this.page.settled();
    }
  }
}
