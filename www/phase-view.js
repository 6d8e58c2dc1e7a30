// What a model's section shows as it trains, one class for all five: its live plots, its
// progress bar and line, and the record the page keeps of its run (read by Compare all, the
// shelf's labels and the browser tests as window.lab[name]). What differs between the models is
// data, in VIEWS below: the plots' titles and series, and the words of the progress line. A
// model VIEWS does not name gets the plain view (one training loss, a test loss per epoch).
import { LossPlot } from './plots.js';
import { controlId } from './phase-panel.js';
import { formatSeconds } from './format.js';
import { TimeLeft } from './time-left.js';
import { STORY } from './story.js';

/**
 * Each model's view. `plots`: each plot's element (`role`, an id from controlId; default
 * 'loss-plot'), LossPlot options, the progress event's series it draws per step (`per`, default
 * the losses) and copies drawn the same elsewhere (element ids). `rate`: what its speed counts,
 * 'images' or 'steps'; `critic`: a step is a generator step and the run's critic_steps critic
 * steps, both counted.
 * `latest` and `summary`: the last training value and the held-out result, as [words, digits,
 * unit, series].
 */
export const VIEWS = {
  autoencoder: {
    plots: [{ title: 'Autoencoder', yLabel: 'BCE (nats/image)' }],
    rate: 'images', latest: ['loss', 1], summary: ['Test loss', 1, 'nats/image'],
  },
  flow: {
    plots: [{ title: 'FlowAE: negative log-likelihood of the codes', yLabel: 'NLL (nats/dim)', log: false, copies: ['nll-copy'] }],
    rate: 'steps', latest: ['NLL', 3], summary: ['Held-out NLL', 3, 'nats/dim'],
  },
  wgan: {
    plots: [
      { title: 'AdvAE: critic and generator losses', yLabel: 'loss', log: false, per: ['losses', 'generator_losses'],
        series: [{ label: 'critic', stroke: '#a855f7' }, { label: 'generator', stroke: '#22c55e' }] },
      { role: 'gap-plot', title: "AdvAE: the critic's Wasserstein estimate", yLabel: 'E[D(real)] − E[D(fake)]', log: false,
        per: ['wasserstein'],
        series: [{ label: 'training', stroke: '#3b82f6' }, { label: 'held-out', stroke: '#f97316', epoch: true }] },
    ],
    rate: 'steps', critic: true, latest: ['critic gap', 3, '', 'wasserstein'], summary: ['Held-out critic score', 3],
  },
  vae: {
    plots: [{ title: 'VAE: negative ELBO', yLabel: '−ELBO (nats/image)' }],
    rate: 'images', latest: ['loss', 1], summary: ['Test −ELBO', 1, 'nats/image'],
  },
  aae: {
    plots: [{ title: 'AAE: reconstruction loss', yLabel: 'BCE (nats/image)' }],
    rate: 'images', latest: ['loss', 1], summary: ['Test reconstruction loss', 1, 'nats/image'],
  },
};

/** The view of a model VIEWS does not describe. */
const plainView = (model) => ({
  plots: [{ title: `${model.label}: training loss`, yLabel: 'loss' }],
  rate: 'images', latest: ['loss', 1], summary: ['Test loss', 1],
});

/** "NLL 0.123 nats/dim" from [words, digits, unit] and a value. */
const worded = ([words, digits, unit], value) => [words, value.toFixed(digits), unit].filter(Boolean).join(' ');

/** How far a run is, 0 to 1: each epoch is its steps and one held-out pass. */
function fraction(p) {
  const total = p.epochs * (p.steps_per_epoch + 1);
  const done = p.epoch * (p.steps_per_epoch + 1) + (p.step - p.epoch * p.steps_per_epoch);
  return Math.min(1, done / total);
}

export class PhaseView {
  /** `model`: its entry of MODELS (pkg/tables.js); `controls`: its section's (controlsOf). */
  constructor(model, controls) {
    this.name = model.name;
    this.controls = controls;
    this.spec = VIEWS[model.name] ?? plainView(model);
    this.plots = this.spec.plots.flatMap((plot) => {
      const element = document.getElementById(controlId(model.name, plot.role ?? 'loss-plot'));
      if (!element) throw new Error(`index.html has no ${plot.role ?? 'loss-plot'} for ${model.name}`);
      const ids = [element, ...(plot.copies ?? []).map((id) => document.getElementById(id))];
      const press = [STORY.includes(model.name) ? 'Train from scratch at the top, or' : null, controls.train.textContent].filter(Boolean).join(' ');
      const empty = `Its curve appears here as the ${model.description} trains: press ${press} in this section.`;
      return ids.map((el) => ({ plot: new LossPlot(el, { empty, ...plot }), per: plot.per ?? ['losses'] }));
    });
    this.reset();
  }

  /** Forgets the run (and clears the plots); `run`: the run's 'started' event, or
   * `{config, loaded: true}` for a model loaded from a file. */
  reset(run = null) {
    this.run = run;
    this.losses = [];
    this.testLosses = [];
    this.rates = [];
    // Reported steps and the time every chunk took, from the second chunk on (the first pays
    // for shader compilation): steps / time is the run's speed. (A mean of the chunks' rates is
    // not: a WGAN chunk of a few critic steps that ends on a generator step reports a step in a
    // fraction of the time one takes, and the chunks between steps report none.)
    this.timed = { chunks: 0, steps: 0, ms: 0 };
    this.generatorLosses = [];
    this.wasserstein = [];
    this.lastProgress = null;
    this.rate = null;             // steps per second lately (time-left.js)
    this.timeLeft = new TimeLeft();
    this.chunks = [];             // [units, ms, steps] of every chunk (for the benchmark)
    this.estimates = [];          // [ms since navigation, seconds left] as shown (the benchmark
                                  // judges them against when the run really ended)
    for (const { plot } of this.plots) plot.clear();
  }

  /** The section's buttons and settings for the page's `state` ('training', 'paused',
   * 'switching', …): `active`, whether this model's run is the one the state is of;
   * `trainable`, whether it can be trained now; `drawn`, whether it has samples to redraw. */
  sync(state, { active, trainable, drawn }) {
    const view = this.controls;
    const running = state === 'training' || state === 'paused';
    const busy = running || state === 'switching';
    view.train.disabled = busy || state === 'loading' || !trainable;
    view.pause.disabled = !running || !active;
    view.pause.textContent = state === 'paused' && active ? 'Resume' : 'Pause';
    view.stop.disabled = !running || !active;
    if (view.step) view.step.disabled = !(state === 'paused' && active);
    if (view.resample) view.resample.disabled = !drawn;
    for (const input of view.settings.elements) input.disabled = busy;
  }

  /** The steps the run has reported. */
  get step() { return this.lastProgress?.step ?? 0; }

  /** A progress event of this model's run: recorded, plotted and put in words. */
  progress(p) {
    const view = this.controls;
    this.lastProgress = p;
    if (p.preparing) {
      const [done, total] = p.preparing;
      view.progress.value = 0;
      view.progressText.textContent = `Encoding the digits with the frozen encoder: ${done.toLocaleString()} / ${total.toLocaleString()}`;
      return;
    }
    this.losses.push(...p.losses);
    this.generatorLosses.push(...p.generator_losses);
    this.wasserstein.push(...p.wasserstein);
    const steps = p.losses.length;
    this.timeLeft.add(p, p.chunkMs);
    this.chunks.push([p.units, Math.round(p.chunkMs * 10) / 10, steps]);
    const perStep = this.unitsPerStep();
    const unitRate = this.timeLeft.rate;
    this.rate = unitRate === null ? null : (unitRate * 1000) / perStep;
    const recorded = this.spec.rate === 'images' ? p.imagesPerSecond : this.rate;
    if (recorded) this.rates.push(recorded);
    if (p.chunkMs > 0 && this.timed.chunks++ > 0) {
      this.timed.steps += steps;
      this.timed.ms += p.chunkMs;
    }
    for (const { plot, per } of this.plots) plot.addTraining(p.first_step + 1, ...per.map((series) => p[series]));
    if (p.test_loss) {
      this.testLosses.push(p.test_loss);
      for (const { plot } of this.plots) plot.addTest(p.test_loss[1]);
    }
    view.progress.value = fraction(p);
    const left = this.timeLeft.seconds(p.step, p.epochs * p.steps_per_epoch, perStep);
    if (left !== null && !p.done) this.estimates.push([performance.now(), left]);
    const [, , , series = 'losses'] = this.spec.latest;
    view.progressText.textContent = [
      `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
      p.evaluating ? 'scoring test digits' : `step ${p.step - p.epoch * p.steps_per_epoch}/${p.steps_per_epoch}`,
      this.speed(p),
      p.done ? null : left !== null ? `about ${formatSeconds(left)} left` : 'timing…',
      p[series].length ? worded(this.spec.latest, p[series].at(-1)) : null,
    ].filter(Boolean).join(' · ');
  }

  /** The series the progress line ends with (the loss; the WGAN's critic gap), as
   * [words, values]: what the live strip (live-strip.js) draws small. */
  get trace() {
    const [words, , , series = 'losses'] = this.spec.latest;
    return [words, series === 'wasserstein' ? this.wasserstein : this.losses];
  }

  /** The units of work behind one reported step: a WGAN's critic steps and its generator step. */
  unitsPerStep() {
    const critic = this.spec.critic && this.run?.config?.critic_steps;
    return critic ? critic + 1 : 1;
  }

  /** The speed in words: images per second, or steps (a WGAN's generator and critic steps). */
  speed(p) {
    if (this.spec.rate === 'images') return p.imagesPerSecond ? `${Math.round(p.imagesPerSecond).toLocaleString()} images/s` : null;
    if (!this.rate) return null;
    const critic = this.spec.critic && this.run?.config?.critic_steps;
    const steps = `${Math.round(this.rate).toLocaleString()}`;
    return critic ? `${steps} generator and ${Math.round(this.rate * critic).toLocaleString()} critic steps/s` : `${steps} steps/s`;
  }

  /** The held-out result a finished run ends its line with (" Test loss 97.1 nats/image."). */
  summary() {
    const last = this.testLosses.at(-1);
    return last ? ` ${worded(this.spec.summary, last[1])}.` : '';
  }
}
