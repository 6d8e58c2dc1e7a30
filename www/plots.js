// Live loss plots, drawn with uPlot (vendored from npm by build.sh).
import uPlot from './vendor/uPlot.esm.js';
import { offerPlot } from './take-away.js';

/** The page's colours for axes and grid lines (style.css: dark, or light where the system asks). */
const css = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
const AXIS = css('--muted', '#94a3b8');
const GRID = css('--border', '#334155');

const TRAINING = { label: 'training', stroke: '#3b82f6' };
const TEST = { label: 'test', stroke: '#f97316', epoch: true };

/**
 * A loss plot over optimizer steps. Each series is either per step (drawn as a thin line) or per
 * epoch (`epoch: true`, drawn as points joined by a line at the step that ended the epoch); the
 * default is a training loss per step and a test loss per epoch. Redraws at most once per
 * animation frame. A log scale suits losses that fall by orders of magnitude; NLLs and critic
 * scores, which can be negative, use `log: false`.
 */
export class LossPlot {
  constructor(element, { title, yLabel, log = true, series = [TRAINING, TEST], height = 260, empty = '' }) {
    this.element = element;
    this.height = height;
    this.series = series;
    this.steps = [];
    this.columns = series.map(() => []);
    this.pending = false;
    this.plot = new uPlot({
      title,
      width: this.width(),
      height,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [
        { label: 'step', stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
        { label: yLabel, size: 60, stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
      ],
      series: [
        { label: 'step' },
        ...series.map((s) => s.epoch
          ? { label: s.label, stroke: s.stroke, width: 2, spanGaps: true, points: { show: true, size: 7 } }
          : { label: s.label, stroke: s.stroke, width: 1, points: { show: false } }),
      ],
    }, [[], ...series.map(() => [])], element);
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: this.height })).observe(element);
    // What the plot will show, and which button makes it, while it has nothing to show.
    this.note = document.createElement('p');
    this.note.className = 'plot-empty';
    this.note.textContent = empty;
    element.append(this.note);
    this.offered = offerPlot(this, element);
    this.offered(false);
  }

  /** The chart's canvas (axes and lines; the legend is the page's). */
  get canvas() { return this.plot.ctx.canvas; }

  /** The series as CSV: `step`, then one column per series, a blank where it has no value. */
  csv() {
    const cell = (v) => (v === null || v === undefined ? '' : String(v));
    const header = ['step', ...this.series.map((s) => s.label)].map((h) => (/[",\n]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h)).join(',');
    const rows = this.steps.map((step, i) => [step, ...this.columns.map((column) => column[i])].map(cell).join(','));
    return `${[header, ...rows].join('\n')}\n`;
  }

  width() { return Math.max(240, this.element.clientWidth || 600); }

  /**
   * Appends consecutive steps starting at `firstStep` (1-based): one array of values for each
   * per-step series, in the order the series were given.
   */
  addTraining(firstStep, ...values) {
    const perStep = this.series.map((s, i) => (s.epoch ? null : i)).filter((i) => i !== null);
    values[0].forEach((_, k) => {
      this.steps.push(firstStep + k);
      this.columns.forEach((column) => column.push(null));
      perStep.forEach((column, j) => { this.columns[column][this.steps.length - 1] = values[j]?.[k] ?? null; });
    });
    this.redraw();
  }

  /** Marks the (first) per-epoch series at the current last step. */
  addTest(value) {
    const column = this.series.findIndex((s) => s.epoch);
    if (this.steps.length === 0 || column < 0) return;
    this.columns[column][this.steps.length - 1] = value;
    this.redraw();
  }

  clear() {
    this.steps = [];
    this.columns = this.series.map(() => []);
    this.redraw();
  }

  redraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.plot.setData([this.steps, ...this.columns]);
      this.note.hidden = this.steps.length > 0 || !this.note.textContent;
      this.offered(this.steps.length > 0);
    });
  }
}
