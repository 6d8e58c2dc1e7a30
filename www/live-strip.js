// What trains is what you see, wherever the visitor has scrolled: while a run trains, a compact
// strip at the bottom of the screen shows its newest samples, its loss so far and its progress
// line (with the time left), whenever neither the opening pictures nor the model's own samples
// are in view. A visitor reading step 5 while the story trains the flow still watches it
// learn; one who closes the strip gets it back with the next run.
import { drawDigits } from './digits.js';

/** Samples the strip shows: two rows of eight, small enough for a phone. */
const SHOWN = 16;
const PIXELS = 784;
/** Values the sparkline keeps: the most recent ones. */
const TRACE = 400;

export class LiveStrip {
  /** `stop()`: the visitor's Stop; `samplesOf(phase)`: the canvas of a model's own samples. */
  constructor({ stop, samplesOf }) {
    const $ = (id) => document.getElementById(id);
    this.el = $('live-strip');
    this.samplesCanvas = $('live-samples');
    this.trace = $('live-trace');
    this.title = $('live-title');
    this.line = $('live-line');
    this.samplesOf = samplesOf;
    this.phase = null;
    this.running = false;
    this.dismissed = false;
    this.traced = null;               // the training model's [words, values], drawn when shown
    this.inView = new Set();          // ids of the watched elements now on screen
    $('live-stop').addEventListener('click', stop);
    $('live-close').addEventListener('click', () => { this.dismissed = true; this.update(); });
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this.inView.add(e.target.id || 'hero');
        else this.inView.delete(e.target.id || 'hero');
      }
      this.update();
    }, { threshold: 0.5 });
    this.observer.observe(document.querySelector('.hero'));
  }

  /** A run of `phase` (a model's name, `words` its name in words) has started. */
  start(phase, words) {
    if (this.phase !== phase) {
      if (this.watched) this.observer.unobserve(this.watched);
      this.watched = this.samplesOf(phase);
      if (this.watched) this.observer.observe(this.watched);
    }
    this.phase = phase;
    this.running = true;
    this.dismissed = false;
    this.title.textContent = `Training ${words}`;
    this.line.textContent = '';
    this.traced = null;
    for (const c of [this.samplesCanvas, this.trace]) c.getContext('2d').clearRect(0, 0, c.width, c.height);
    this.samplesCanvas.hidden = true;
    this.update();
  }

  /** The page's state changed: the strip stays only while a run trains or is paused. */
  state(state) {
    this.running = state === 'training' || state === 'paused';
    this.update();
  }

  /** A model's newest samples: drawn if they are the training model's. */
  samples(msg) {
    if (msg.model !== this.phase || msg.preview) return;
    drawDigits(this.samplesCanvas, msg.pixels.subarray(0, SHOWN * PIXELS), Math.min(SHOWN, msg.count), 8);
    this.samplesCanvas.hidden = false;
  }

  /** The training model's progress line and its trace ([words, values], the view's own
   * growing series): the sparkline is drawn only while the strip is shown (a progress event
   * comes several times a second, and the page shares the machine with the training). */
  progress(line, trace) {
    this.line.textContent = line;
    this.traced = trace;
    if (this.shown) this.drawTrace();
  }

  drawTrace() {
    if (!this.traced) return;
    const [words, values] = this.traced;
    this.trace.setAttribute('aria-label', `${words} so far`);
    drawTrace(this.trace, values.slice(-TRACE));
  }

  /** Shown while a run trains, the visitor has not closed it, and neither the opening pictures
   * nor the model's own samples are on screen. */
  update() {
    const watchedInView = this.watched && this.inView.has(this.watched.id);
    const show = this.running && !this.dismissed && !this.inView.has('hero') && !watchedInView;
    const appearing = show && this.el.hidden;
    this.el.hidden = !show;
    document.body.classList.toggle('with-live-strip', show);
    if (appearing) this.drawTrace();
  }

  /** Whether the strip is on screen (read by the tests). */
  get shown() { return !this.el.hidden; }
}

/** A sparkline of `values` (finite ones), scaled to the canvas, in the page's accent colour. */
function drawTrace(canvas, values) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return;
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  const span = hi - lo || 1;
  ctx.strokeStyle = getComputedStyle(canvas).color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  finite.forEach((v, i) => {
    const x = (i / (finite.length - 1)) * (canvas.width - 2) + 1;
    const y = canvas.height - 2 - ((v - lo) / span) * (canvas.height - 4);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}
