// Compare all: every model trained in turn, in the paper's order, each scored with the FCD as
// soon as it is done, and the paper's Table 1 rebuilt beside the paper's figures. The models'
// names, labels and figures are the library's (src/kind.rs, through pkg/tables.js).
import { drawDigits } from './digits.js';
import { formatSeconds } from './format.js';
import { FCD_FEATURES, MODELS, PAPER_REAL_DATA_FCD } from './pkg/tables.js';
import { DATA, DEFAULT_DATA } from './data-set.js';
import { RunDriver } from './runs.js';

/** Table 1's rows, in the paper's order: real data (the floor), then each model with a row
 * there, best first. */
export const TABLE = [
  // The paper's figures are MNIST's: on another data set there are none to set beside ours.
  { model: 'real', label: 'Real data', paper: DEFAULT_DATA ? PAPER_REAL_DATA_FCD : '', what: `training ${DATA.items}` },
  ...MODELS.filter((m) => m.paperFcd !== null).sort((a, b) => a.paperFcd - b.paperFcd)
    .map((m) => ({ model: m.name, label: m.label, paper: DEFAULT_DATA ? m.paperFcd : '', canvas: `${m.name}-samples` })),
];

/** The runs of Compare all, in the order it trains them (the latent models need the autoencoder). */
const ORDER = ['autoencoder', 'flow', 'wgan', 'aae', 'vae'];

/** The models of the paper's Table 1, best first there: the order a run should keep. */
const PAPER_ORDER = TABLE.filter((r) => r.model !== 'real').map((r) => r.model);

/** The mean and sample standard deviation of `values` (0 for one value). */
function meanSd(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd };
}

/** Whether one run's FCDs (by model) rank the models as the paper's Table 1 does; null when it
 * scored fewer than two of them. */
function keepsPaperOrder(fcds) {
  const values = PAPER_ORDER.filter((m) => fcds[m] !== undefined).map((m) => fcds[m]);
  return values.length < 2 ? null : values.every((v, i) => i === 0 || values[i - 1] < v);
}

export class Comparison {
  /**
   * `page` gives what Compare all drives: `send(command)`; `startRun(phase, config)`;
   * `readAll(length)`, every run's settings by model name at the run length `length` (null
   * where a form has a problem, which it marks); `phase()`, the phase the worker runs; `grid(canvasId)`, the last sample grid
   * drawn there; `adapter()`, the backend's name; `settled()`, called when a comparison ends.
   */
  constructor(page) {
    const $ = (id) => document.getElementById(id);
    this.page = page;
    this.ui = {
      compare: $('compare'), text: $('compare-text'), count: $('fcd-count'), seeds: $('fcd-seeds'), length: $('fcd-length'), table: $('fcd-table'),
      markdown: $('copy-markdown'), csv: $('copy-csv'),
    };
    /** FCD by model, as the table shows it (the mean over the seeds); the last text copied
     * (both read by the tests). */
    this.results = {};
    /** Each seed's run: {seed, fcds: {model: FCD}}. */
    this.runs = [];
    this.copied = null;
    this.running = false;
    this.driver = new RunDriver(page);
    this.buildTable();
    this.ui.compare.addEventListener('click', () => this.run());
    this.ui.markdown.addEventListener('click', () => this.copy('markdown'));
    this.ui.csv.addEventListener('click', () => this.copy('csv'));
  }

  /** Fills the table's body: one row per model, its FCD to come. */
  buildTable() {
    for (const row of TABLE) {
      const tr = document.createElement('tr');
      tr.dataset.model = row.model;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = row.label;
      const here = document.createElement('td');
      here.className = 'fcd';
      here.textContent = '–';
      const paper = document.createElement('td');
      paper.textContent = String(row.paper || '–');
      if (!DEFAULT_DATA) paper.title = `The paper reports MNIST only, not ${DATA.title}`;
      const samples = document.createElement('td');
      if (row.canvas) {
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 1;
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `${row.label} samples`);
        samples.append(canvas);
      } else {
        samples.textContent = row.what;
      }
      tr.append(th, here, paper, samples);
      this.ui.table.tBodies[0].append(tr);
    }
  }

  /** Every worker event goes through here: it settles what a comparison waits for. */
  offer(msg) { this.driver.offer(msg); }

  /** Ends the comparison under way, if any, with `message`: the worker it drove is gone
   * (crashed, hung, its GPU lost), or the visitor pressed Reset. */
  abort(message) { this.driver.abort(message); }

  next(test) { return this.driver.next(test); }

  train(phase, config) { return this.driver.train(phase, config); }

  /** Scores `model` on `count` samples (into the run under way, but for the real digits,
   * which every run shares), and shows it. */
  async score(model, count) {
    const scored = this.next((m) => m.type === 'fcd' && m.model === model);
    this.page.send({ type: 'fcd', model, count, seed: 1 });
    const msg = await scored;
    if (model !== 'real') this.runs.at(-1).fcds[model] = msg.value;
    const values = model === 'real' ? [msg.value] : this.runs.map((r) => r.fcds[model]).filter((v) => v !== undefined);
    const { mean, sd } = meanSd(values);
    this.results[model] = mean;
    const row = this.ui.table.querySelector(`tr[data-model=${model}]`);
    const samples = `${count.toLocaleString()} samples`;
    row.querySelector('.fcd').textContent = values.length < 2
      ? `${msg.value.toFixed(2)} (${samples})`
      : `${mean.toFixed(2)} ± ${sd.toFixed(2)} (${values.map((v) => v.toFixed(1)).join(', ')}; ${samples})`;
    const source = TABLE.find((r) => r.model === model).canvas;
    const grid = source && this.page.grid(source);
    if (grid) drawDigits(row.querySelector('canvas'), grid.pixels, Math.min(16, grid.count), 8, { binarize: true });
    this.ui.markdown.disabled = false;
    this.ui.csv.disabled = false;
  }

  async run() {
    const settings = this.page.readAll(this.ui.length.value);
    if (!settings) { this.ui.text.textContent = 'Fix the settings marked above first.'; return; }
    const count = Math.min(Number(this.ui.count.value), settings.autoencoder.test_images, this.page.testImages());
    const seeds = Number(this.ui.seeds.value) || 1;
    const first = settings.autoencoder.seed;
    this.running = true;
    this.ui.compare.disabled = true;
    this.results = {};
    this.runs = [];
    for (const cell of this.ui.table.querySelectorAll('td.fcd')) cell.textContent = '–';
    const started = performance.now();
    const named = (name) => {
      const model = MODELS.find((m) => m.name === name);
      return model.baseline || !model.paperFcd ? `the ${name === 'autoencoder' ? name : model.label}` : model.label;
    };
    const steps = [['Scoring real training digits against the test digits', () => this.score('real', count)]];
    for (let i = 0; i < seeds; i++) {
      // Every model of a run takes the run's seed, as `flowae table --seeds` does.
      const seed = first + i;
      const which = seeds > 1 ? `seed ${seed} (${i + 1} of ${seeds}), ` : '';
      steps.push([`${which}starting`, async () => { this.runs.push({ seed, fcds: {} }); }]);
      ORDER.forEach((name, j) => {
        const scored = TABLE.some((r) => r.model === name);
        steps.push([`${which}${j + 1} of ${ORDER.length}: ${named(name)}`, async () => {
          await this.train(name, { ...settings[name], seed });
          if (scored) await this.score(name, count);
        }]);
      });
    }
    try {
      for (const [what, step] of steps) {
        this.ui.text.textContent = `${what}… (progress in its section above)`;
        await step();
      }
      // Fewer samples than the classifier has features give each Gaussian a covariance of
      // less than full rank: the distances then say little (your own images hold out few).
      const few = count <= FCD_FEATURES
        ? ` Only ${count} held-out images to score against, fewer than the classifier's ${FCD_FEATURES} features: these distances are mostly noise (give the page more images: one in six is held out).`
        : '';
      this.ui.text.textContent = `Done in ${formatSeconds((performance.now() - started) / 1000)} on ${this.page.adapter()}. ${this.orderText()}${few}`;
    } catch (error) {
      const scored = Object.keys(this.results).length;
      this.ui.text.textContent = `Compare all stopped: ${error.message}. ${scored ? 'The rows scored so far stay. ' : ''}Press Compare all to start again.`;
    } finally {
      this.running = false;
      this.page.settled();
    }
  }

  /** Whether the runs kept the paper's order, in words. */
  orderText() {
    const order = PAPER_ORDER.map((m) => TABLE.find((r) => r.model === m).label).join(' < ');
    const kept = this.runs.map((r) => keepsPaperOrder(r.fcds)).filter((k) => k !== null);
    if (kept.length === 0) return '';
    if (kept.length === 1) return `The paper's order (${order}) ${kept[0] ? 'held' : 'did not hold'} here.`;
    return `The paper's order (${order}) held in ${kept.filter(Boolean).length} of ${kept.length} seeds.`;
  }

  /** The table as text, Markdown or CSV: each seed's FCD where there were several, then the
   * mean, and the paper's figure. */
  text(format) {
    const rows = TABLE.filter((r) => this.results[r.model] !== undefined);
    const many = this.runs.length > 1;
    const perSeed = (r) => this.runs.map((run) => (r.model === 'real' ? this.results.real : run.fcds[r.model]));
    if (format === 'csv') {
      const head = ['model', ...(many ? this.runs.map((run) => `fcd_seed_${run.seed}`) : []), 'fcd_here', 'fcd_paper'];
      const line = (r) => [r.label, ...(many ? perSeed(r).map((v) => v?.toFixed(4) ?? '') : []), this.results[r.model].toFixed(4), r.paper];
      return [head.join(','), ...rows.map((r) => line(r).join(','))].join('\n');
    }
    const head = ['Model', ...(many ? this.runs.map((run) => `seed ${run.seed}`) : []), many ? 'mean' : 'FCD (here)', 'FCD (paper)'];
    const line = (r) => [r.label, ...(many ? perSeed(r).map((v) => v?.toFixed(2) ?? '–') : []), this.results[r.model].toFixed(2), r.paper || '–'];
    return [`| ${head.join(' | ')} |`, `|${'---|'.repeat(head.length)}`, ...rows.map((r) => `| ${line(r).join(' | ')} |`)].join('\n');
  }

  async copy(format) {
    const text = this.text(format);
    this.copied = text;
    try {
      await navigator.clipboard.writeText(text);
      this.ui.text.textContent = `Copied the table as ${format === 'csv' ? 'CSV' : 'Markdown'}.`;
    } catch {
      this.ui.text.textContent = `The browser refused the clipboard; here it is:\n${text}`;
    }
  }
}
