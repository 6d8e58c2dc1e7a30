// The 2-D lab (step 8): FlowAE's flow and AdvAE's WGAN-GP trained side by side on points of the
// plane, with the flow's density and the critic's values as heat maps. The worker trains and
// computes every number (src/plane.rs); this module asks for chunks, one at a time, and paints
// what comes back. Drawn points and the data set live in the link (link-state.js reads them).
import { TOYS } from './pkg/tables.js';
import { DIGIT_COLOURS } from './latent-map.js';
import { defaultOf, linkFields, readSection } from './settings.js';

/** A chunk's target duration, the pause between chunks in slow motion, and how often the
 * picture (which costs more than a chunk) is redrawn while training runs. */
const CHUNK_MS = 100;
const SLOW_MS = 400;
const PICTURE_MS = 250;
/** The heat maps' raster and the points drawn of each kind. */
const GRID = 48;
const COUNT = 400;
/** The plane shown: [−EXTENT, EXTENT]² (src/toy.rs). */
const EXTENT = 3;
/** Drawn points are kept to this step in the link (a link stays short: 2 characters a number). */
const QUANTUM = 0.05;
/** How far one arrow key moves the keyboard's pen on the plane (with Shift: a fine step), and
 * the closest two points of one stroke may be. */
const KEY_STEP = 0.25;
const FINE_STEP = 0.05;
const SPACING = 0.1;
/** The most points a visitor may draw (the link holds 4 characters a point). */
const MAX_DRAWN = 2000;

export class PlaneLab {
  /** `send(command)`: to the worker; `digits`: whether the worker has MNIST (the data set of
   * a 2-D autoencoder's codes needs it; an embed without the digits leaves it out). */
  constructor({ send, digits = true }) {
    const $ = (id) => document.getElementById(id);
    this.send = send;
    this.ui = {
      data: $('plane-data'), train: $('plane-train'), reset: $('plane-reset'), slow: $('plane-slow'),
      flow: $('plane-flow'), wgan: $('plane-wgan'), text: $('plane-text'), clear: $('plane-clear'), points: $('plane-points'),
      steps: [...document.querySelectorAll('[data-plane-step]')], help: $('plane-help'),
    };
    this.flowLabel = this.ui.flow.getAttribute('aria-label');
    // The data sets, from the library's table; the first is the default.
    this.ui.data.append(...TOYS.filter((t) => digits || !t.digits).map((t, i) => new Option(t.label, t.name, i === 0, i === 0)));
    this.state = { running: false, started: false, asked: 0, units: 8, steps: { autoencoder: 0, flow: 0, wgan: 0 }, seconds: 0, nll: null, picture: null, fitAt: null };
    this.drawn = [];            // points drawn on the plane (x, y), for the "drawn" data set
    this.ui.train.addEventListener('click', () => (this.state.running ? this.pause() : this.run()));
    this.ui.reset.addEventListener('click', () => this.start());
    this.ui.data.addEventListener('change', () => { this.syncDrawing(); this.start(); });
    // A changed setting starts a fresh run with it.
    document.getElementById('plane-settings')?.addEventListener('change', () => this.start());
    this.ui.clear.addEventListener('click', () => { this.setDrawn([]); this.start(); });
    for (const button of this.ui.steps) button.addEventListener('click', () => this.step(button.dataset.planeStep));
    this.listenForDrawing();
    this.syncDrawing();
  }

  /** The data set and drawn points as the link set them (its `plane` and `points` fields,
   * which link-state.js fills): the same picture comes back, at once unless `start` is false
   * (the embed, which downloads nothing until a press). */
  fromLink({ start = true } = {}) {
    this.drawn = decodePoints(this.ui.points.value);
    this.syncDrawing();
    if (start) this.start();
    else this.paint();
  }

  /** What an embed of the lab carries (`&plane=…&points=…&plane.flow_layers=…`): the data
   * set, drawn points and the settings that differ from their defaults. */
  embedQuery() {
    const data = this.ui.data.value;
    const settings = linkFields().filter(([key, el]) => key.startsWith('plane.') && el.value !== defaultOf(el))
      .map(([key, el]) => `&${key}=${encodeURIComponent(el.value)}`).join('');
    return `${data === TOYS[0].name ? '' : `&plane=${data}`}${data === 'drawn' && this.ui.points.value ? `&points=${this.ui.points.value}` : ''}${settings}`;
  }

  /** The drawn points, kept in the link's field too. */
  setDrawn(points) {
    this.drawn = points;
    this.ui.points.value = points.length ? encodePoints(points) : '';
  }

  /** "Draw your own": the flow's plane takes points (a pad, for the keyboard too, with its own
   * name), its help line shows, and the points can be cleared. */
  syncDrawing() {
    const drawing = this.ui.data.value === 'drawn';
    const { flow, clear, help } = this.ui;
    clear.hidden = !drawing;
    if (help) help.hidden = !drawing;
    flow.closest('figure').classList.toggle('drawing', drawing);
    flow.setAttribute('role', drawing ? 'application' : 'img');
    flow.setAttribute('aria-label', drawing ? 'The plane to draw points on' : this.flowLabel);
    if (drawing) flow.setAttribute('tabindex', '0');
    else flow.removeAttribute('tabindex');
  }

  /** A point drawn at (x, y), unless it is too close to the last one or the plane is full. */
  addPoint(x, y) {
    const last = this.drawn.at(-1);
    if (last && Math.hypot(last[0] - x, last[1] - y) < SPACING) return;
    if (this.drawn.length >= MAX_DRAWN) return;
    this.setDrawn([...this.drawn, [quantize(x), quantize(y)]]);
    this.paint();
  }

  /** Clicks and drags (a mouse, a pen, a finger) on the flow's plane add points while "Draw
   * your own" is chosen; so does the keyboard's pen (`key`). A stroke's end starts a fresh run
   * on the points. */
  listenForDrawing() {
    const canvas = this.ui.flow;
    let down = false;
    const add = (e) => {
      const rect = canvas.getBoundingClientRect();
      this.addPoint(((e.clientX - rect.left) / rect.width) * 2 * EXTENT - EXTENT, EXTENT - ((e.clientY - rect.top) / rect.height) * 2 * EXTENT);
    };
    canvas.addEventListener('pointerdown', (e) => {
      if (this.ui.data.value !== 'drawn') return;
      down = true;
      canvas.setPointerCapture(e.pointerId);
      this.pause();
      add(e);
      e.preventDefault();
    });
    canvas.addEventListener('pointermove', (e) => { if (down) add(e); });
    const up = () => { if (down) { down = false; this.start(); } };
    canvas.addEventListener('pointerup', up);
    canvas.addEventListener('pointercancel', up);
    this.pen = { x: 0, y: 0, down: false, shown: false };
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('keyup', (e) => {
      if ((e.key === ' ' || e.key === 'Enter') && this.pen.down) { this.pen.down = false; this.start(); }
    });
    canvas.addEventListener('focus', () => { this.pen.shown = true; this.paint(); });
    canvas.addEventListener('blur', () => { this.pen.shown = false; this.paint(); });
  }

  /** The keyboard's pen: arrow keys move it (Shift: fine steps), Space or Enter held puts
   * points where it goes, Delete clears them. */
  key(e) {
    if (this.ui.data.value !== 'drawn') return;
    const step = e.shiftKey ? FINE_STEP : KEY_STEP;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[e.key]) {
      this.pen.x = Math.max(-EXTENT, Math.min(EXTENT, this.pen.x + moves[e.key][0]));
      this.pen.y = Math.max(-EXTENT, Math.min(EXTENT, this.pen.y + moves[e.key][1]));
      if (this.pen.down) this.addPoint(this.pen.x, this.pen.y);
      else this.paint();
    } else if (e.key === ' ' || e.key === 'Enter') {
      if (!this.pen.down) { this.pen.down = true; this.pause(); this.addPoint(this.pen.x, this.pen.y); }
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      this.setDrawn([]);
      this.start();
    } else {
      return;
    }
    e.preventDefault();
  }

  /** The worker can run the lab (its WebAssembly is in): a run asked for before starts now. */
  setReady() {
    if (this.ready) return;
    this.ready = true;
    if (this.waiting) { const run = this.waiting === 'run'; this.waiting = null; this.start(); if (run) this.run(); }
  }

  /** The worker died, and the run with it: no chunk is awaited any more, and the next press
   * starts afresh. */
  lost() {
    this.pause();
    this.inFlight = false;
    this.queued = null;
    this.state.started = false;
    this.state.busy = false;
  }

  /** A fresh run on the chosen data set: its first picture, untrained. */
  start() {
    this.pause();
    if (!this.ready) {
      this.waiting ??= 'start';
      this.ui.text.textContent = 'The lab starts as soon as the page has loaded its models…';
      return;
    }
    const name = this.ui.data.value;
    if (name === 'drawn' && this.drawn.length === 0) {
      this.state.started = false;
      this.ui.text.textContent = 'Draw points on the left plane (click or drag), then train.';
      this.paint();
      return;
    }
    const data = name === 'drawn' ? { drawn: this.drawn.flat() } : name;
    const { config, problems } = readSection('plane');
    if (problems.length) {
      this.state.started = false;
      this.ui.text.textContent = problems.join(' ');
      return;
    }
    this.state = { ...this.state, started: true, steps: { autoencoder: 0, flow: 0, wgan: 0 }, seconds: 0, nll: null, fitAt: null, units: 8, epoch: null };
    this.send({ type: 'plane-start', id: ++this.state.asked, config: { ...config, data } });
    this.ask(null);
  }

  run() {
    if (!this.ready) { this.waiting = 'run'; this.start(); return; }
    if (!this.state.started) this.start();
    if (!this.state.started) return;
    this.state.running = true;
    this.ui.train.textContent = 'Pause';
    this.ask('all');
  }

  pause() {
    this.state.running = false;
    this.ui.train.textContent = 'Train both';
    clearTimeout(this.timer);
  }

  /** One press of a step button: a few units of that network alone. */
  step(who) {
    this.pause();
    if (!this.ready) { this.start(); return; }
    if (!this.state.started) this.start();
    if (this.state.started) this.ask(who, who === 'all' ? 3 : 1);
  }

  ask(who, units = this.state.units) {
    this.state.busy = true;   // for the tests: a chunk asked for and not yet shown
    if (this.inFlight) { this.queued = [who, units]; return; }
    this.inFlight = true;
    // The picture with every chunk when stepping or in slow motion, else a few times a second.
    const now = performance.now();
    const picture = !this.state.running || this.ui.slow.checked || !(now - (this.pictured ?? 0) < PICTURE_MS);
    if (picture) this.pictured = now;
    this.send({ type: 'plane', id: this.state.asked, who, units, grid: picture ? GRID : 0, count: COUNT });
  }

  /** The worker's 'plane-started' and 'plane' events. */
  handle(msg) {
    if (msg.type === 'plane-started') {
      if (msg.error) { this.ui.text.textContent = `Cannot start: ${msg.error}`; this.state.started = false; }
      else this.state.settings = msg.settings;   // the settings in force, as the library took them
      return;
    }
    this.inFlight = false;
    if (msg.id !== this.state.asked) { this.next(); return; }
    if (msg.error) {
      this.pause();
      this.ui.text.textContent = `Stopped: ${msg.error}`;
      return;
    }
    const { progress, picture, nll, ms } = msg;
    this.state.steps.flow += progress.flow?.losses.length ?? 0;
    this.state.steps.wgan += progress.wgan?.units ?? 0;
    this.state.steps.autoencoder += progress.autoencoder?.units ?? 0;
    if (progress.autoencoder) this.state.epoch = [Math.min(progress.autoencoder.epoch + 1, progress.autoencoder.epochs), progress.autoencoder.epochs];
    if (progress.flow || progress.wgan || progress.autoencoder) this.state.seconds += ms / 1000;
    if (!picture) this.state.chunkMs = ms;   // the chunks' own time, which sizes them
    this.state.nll = nll;
    if (picture) {
      this.state.picture = picture;
      this.paint();
    }
    this.say();
    const done = progress.flow?.done || progress.wgan?.done;
    if (done && this.state.running) {
      this.pause();
      this.ui.text.textContent += ' The run is over: Start again for a new one.';
    }
    if (this.state.running) {
      // Chunks of about CHUNK_MS; in slow motion, one unit at a time with a pause between.
      if (this.ui.slow.checked) this.state.units = 1;
      else if (!picture && ms < CHUNK_MS / 2) this.state.units = Math.min(1000, this.state.units * 2);
      else if (!picture && ms > CHUNK_MS * 2) this.state.units = Math.max(1, Math.floor(this.state.units / 2));
      this.timer = setTimeout(() => this.ask('all'), this.ui.slow.checked ? SLOW_MS : 0);
    }
    this.next();
  }

  next() {
    this.state.busy = this.inFlight || Boolean(this.queued);
    if (!this.queued || this.inFlight) return;
    const [who, units] = this.queued;
    this.queued = null;
    this.ask(who, units);
  }

  say() {
    const { steps, seconds, nll, epoch } = this.state;
    if (nll === null) {
      // MNIST: the 2-D autoencoder trains first; its codes, coloured by digit, sort themselves.
      this.ui.text.textContent = epoch
        ? `The 2-D autoencoder: epoch ${epoch[0]} of ${epoch[1]}, ${steps.autoencoder.toLocaleString('en')} steps. Its codes of test digits, coloured by digit, sort themselves; the flow and the WGAN-GP start on them next.`
        : 'A 2-D autoencoder trains first on the digits: press Train both. Each dot is a test digit\'s code, coloured by digit.';
      return;
    }
    const digits = this.state.picture?.labels?.length ? 'Coloured dots: real digits\' codes (the colours of the latent map, step 7); white: each model\'s samples. ' : '';
    this.ui.text.textContent = `${digits}Flow: ${steps.flow.toLocaleString('en')} steps, held-out NLL ${nll.toFixed(2)} nats per point. `
      + `WGAN: ${steps.wgan.toLocaleString('en')} critic and generator steps. ${seconds.toFixed(1)} s of training.`;
  }

  paint() {
    const picture = this.state.picture;
    const drawing = this.ui.data.value === 'drawn';
    const shown = picture && this.state.started;
    const { labels } = picture ?? {};
    paintPlane(this.ui.flow, shown ? { heat: picture.log_density, grid: picture.grid, colours: densityColours, real: picture.real, labels, fake: picture.flow_samples } : null, drawing ? this.drawn : null,
      drawing && this.pen?.shown ? this.pen : null);
    paintPlane(this.ui.wgan, shown ? { heat: picture.critic, grid: picture.grid, colours: criticColours, real: picture.real, labels, fake: picture.wgan_samples } : null, null);
  }
}

const quantize = (v) => Math.round(Math.max(-EXTENT, Math.min(EXTENT, v)) / QUANTUM) * QUANTUM;

/** Drawn points in a link: each number as two base-36 digits of its step from −EXTENT. */
export function encodePoints(points) {
  const steps = Math.round((2 * EXTENT) / QUANTUM);
  return points.flat().map((v) => Math.round((v + EXTENT) / QUANTUM)).map((n) => Math.max(0, Math.min(steps, n)).toString(36).padStart(2, '0')).join('');
}

export function decodePoints(text) {
  const numbers = [];
  for (let i = 0; i + 1 < text.length && numbers.length < 4000; i += 2) {
    const n = parseInt(text.slice(i, i + 2), 36);
    if (!Number.isFinite(n)) return [];
    numbers.push(Math.max(-EXTENT, Math.min(EXTENT, n * QUANTUM - EXTENT)));
  }
  const points = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) points.push([numbers[i], numbers[i + 1]]);
  return points;
}

/** The density: exp(log q − max), dark blue to yellow. */
function densityColours(values) {
  const max = Math.max(...values);
  return Array.from(values, (v) => ramp(Math.exp(v - max), [[11, 18, 34], [40, 70, 160], [60, 170, 160], [250, 230, 90]]));
}

/** The critic: blue below its median, red above, scaled by its spread. */
function criticColours(values) {
  const sorted = Float32Array.from(values).sort();
  const mid = sorted[sorted.length >> 1];
  const spread = Math.max(1e-6, sorted[Math.floor(sorted.length * 0.98)] - sorted[Math.floor(sorted.length * 0.02)]) / 2;
  return Array.from(values, (v) => {
    const t = Math.max(-1, Math.min(1, (v - mid) / spread));
    return t < 0 ? ramp(-t, [[24, 28, 40], [50, 110, 220]]) : ramp(t, [[24, 28, 40], [220, 80, 60]]);
  });
}

/** `t` in [0, 1] along colour stops. */
function ramp(t, stops) {
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
}

/** A heat map (none while MNIST's autoencoder trains: `grid` 0) with real points (white, or
 * coloured by digit when they have `labels`) and generated ones (orange), or drawn points
 * alone; and the keyboard's `pen` (a ring, filled while it draws). */
function paintPlane(canvas, layers, drawn, pen = null) {
  const size = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)) || 360;
  if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#0b1222';
  ctx.fillRect(0, 0, size, size);
  const at = (x, y) => [((x + EXTENT) / (2 * EXTENT)) * size, ((EXTENT - y) / (2 * EXTENT)) * size];
  const dot = Math.max(1.5, size / 180);
  if (layers) {
    const { heat, grid, colours, labels } = layers;
    if (grid > 0) {
      const image = ctx.createImageData(grid, grid);
      colours(heat).forEach(([r, g, b], i) => { image.data.set([r, g, b, 255], 4 * i); });
      const tile = document.createElement('canvas');
      tile.width = grid; tile.height = grid;
      tile.getContext('2d').putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(tile, 0, 0, size, size);
    }
    const points = (values, colour) => {
      for (let i = 0; i < values.length; i += 2) {
        ctx.fillStyle = colour(i / 2);
        const [x, y] = at(values[i], values[i + 1]);
        ctx.fillRect(x - dot / 2, y - dot / 2, dot, dot);
      }
    };
    points(layers.real, labels?.length ? (i) => DIGIT_COLOURS[labels[i]] : () => 'rgba(255, 255, 255, 0.55)');
    points(layers.fake, labels?.length ? () => '#ffffff' : () => '#f97316');   // digits' codes take the colours
  }
  if (drawn) {
    ctx.fillStyle = '#ffffff';
    for (const [px, py] of drawn) {
      const [x, y] = at(px, py);
      ctx.beginPath();
      ctx.arc(x, y, dot * 1.4, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  if (pen) {
    const [x, y] = at(pen.x, pen.y);
    ctx.strokeStyle = '#3b82f6';
    ctx.lineWidth = Math.max(2, dot);
    ctx.beginPath();
    ctx.arc(x, y, dot * 5, 0, 2 * Math.PI);
    if (pen.down) { ctx.fillStyle = 'rgba(255, 255, 255, 0.4)'; ctx.fill(); }
    ctx.stroke();
  }
}
