// Live loss plots, drawn with uPlot (vendored from npm by build.sh).
import uPlot from './vendor/uPlot.esm.js';

const AXIS = '#94a3b8';
const GRID = '#334155';

/**
 * A loss plot over optimizer steps: training loss at every step, test loss at the end of each
 * epoch (drawn as points joined by a line). Redraws at most once per animation frame. A log
 * scale suits losses that fall by orders of magnitude; NLLs, which can be negative, use `log: false`.
 */
export class LossPlot {
  constructor(element, { title, yLabel, log = true }) {
    this.element = element;
    this.steps = [];
    this.train = [];
    this.test = [];
    this.pending = false;
    this.plot = new uPlot({
      title,
      width: this.width(),
      height: 260,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [
        { label: 'step', stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
        { label: yLabel, size: 60, stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
      ],
      series: [
        { label: 'step' },
        { label: 'training', stroke: '#3b82f6', width: 1, points: { show: false } },
        { label: 'test', stroke: '#f97316', width: 2, spanGaps: true, points: { show: true, size: 7 } },
      ],
    }, [[], [], []], element);
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: 260 })).observe(element);
  }

  width() { return Math.max(240, this.element.clientWidth || 600); }

  /** Appends training losses for consecutive steps starting at `firstStep` (1-based). */
  addTraining(firstStep, losses) {
    losses.forEach((loss, i) => {
      this.steps.push(firstStep + i);
      this.train.push(loss);
      this.test.push(null);
    });
    this.redraw();
  }

  /** Marks the test loss at the current last step. */
  addTest(loss) {
    if (this.steps.length === 0) return;
    this.test[this.test.length - 1] = loss;
    this.redraw();
  }

  clear() {
    this.steps = []; this.train = []; this.test = [];
    this.redraw();
  }

  redraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.plot.setData([this.steps, this.train, this.test]);
    });
  }
}
