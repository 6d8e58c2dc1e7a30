import { drawDigits } from './digits.js';
import { readSection } from './settings.js';
import { DATA } from './data-set.js';

// Section 6: the latent space on a map. The worker encodes test digits and runs PCA and t-SNE
// (protocol: worker.js); this module keeps the controls, the map's points, and draws them.

/** Ten colours for the ten digits, readable on the page's dark background. */
export const DIGIT_COLOURS = ['#4e9af1', '#f5b721', '#ff725c', '#6cc5b0', '#3ca951',
  '#ff8ab7', '#b48cf2', '#c8d6f5', '#c58b5c', '#9aa3ad'];

/** How each kind of generated code is marked: shapes, so they differ without colour too. */
export const OVERLAYS = {
  flow: { label: 'FlowAE codes (the flow)', shape: 'cross' },
  wgan: { label: 'AdvAE codes (the WGAN)', shape: 'plus' },
  prior: { label: 'N(0, I) draws', shape: 'ring' },
};

/** The range of the central `share` of `values`, padded by 6% (1 when they are all one value):
 * a frame that a few far-off points cannot shrink the rest to a dot in. */
export function centralRange(values, share) {
  const s = Float32Array.from(values).sort();
  const lo = s[Math.floor(((1 - share) / 2) * (s.length - 1))]; const hi = s[Math.ceil(((1 + share) / 2) * (s.length - 1))];
  const pad = (hi - lo) * 0.06 || 1;
  return [lo - pad, hi + pad];
}

/**
 * Draws `points` (x, y interleaved; the first `labels.length` are digits) on `canvas`. Returns
 * the frame it used ({cx, cy, scale, size}: map units to canvas pixels), or null.
 */
export function drawMap(canvas, points, labels, overlays, visible, marker = null) {
  let frame = null;
  const size = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)) || 560;
  if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#0b1222';
  ctx.fillRect(0, 0, size, size);
  const shown = [];
  if (visible.digits) shown.push([0, labels.length]);
  for (const o of overlays) if (visible[o.name]) shown.push([o.start, o.start + o.count]);
  if (shown.length === 0) return null;
  // The frame: the central 99% of the shown points, so a few far-off codes cannot shrink the
  // rest to a dot; points outside it are drawn on its edge.
  const xs = []; const ys = [];
  for (const [a, b] of shown) for (let i = a; i < b; i++) { xs.push(points[2 * i]); ys.push(points[2 * i + 1]); }
  const [x0, x1] = centralRange(xs, 0.99); const [y0, y1] = centralRange(ys, 0.99);
  const scale = Math.min(size / (x1 - x0), size / (y1 - y0));
  const cx = (x0 + x1) / 2; const cy = (y0 + y1) / 2;
  frame = { cx, cy, scale, size };
  const edge = 4 * (window.devicePixelRatio || 1);
  const at = (i) => [
    Math.min(size - edge, Math.max(edge, size / 2 + (points[2 * i] - cx) * scale)),
    Math.min(size - edge, Math.max(edge, size / 2 - (points[2 * i + 1] - cy) * scale)),
  ];
  const dot = Math.max(2, size / 200);
  if (visible.digits) {
    ctx.globalAlpha = 0.85;
    for (let i = 0; i < labels.length; i++) {
      const [x, y] = at(i);
      ctx.fillStyle = DIGIT_COLOURS[labels[i]];
      ctx.fillRect(x - dot / 2, y - dot / 2, dot, dot);
    }
  }
  ctx.globalAlpha = 0.75;
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = Math.max(1, size / 700);
  const r = dot * 1.1;
  for (const o of overlays) {
    if (!visible[o.name]) continue;
    const shape = OVERLAYS[o.name]?.shape ?? 'ring';
    ctx.beginPath();
    for (let i = o.start; i < o.start + o.count; i++) {
      const [x, y] = at(i);
      if (shape === 'cross') { ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r); }
      else if (shape === 'plus') { ctx.moveTo(x - r, y); ctx.lineTo(x + r, y); ctx.moveTo(x, y - r); ctx.lineTo(x, y + r); }
      else { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); }
    }
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  if (marker) {
    // A drawn digit's code (draw-pad.js): a white ring with a dark edge, larger than any point.
    const x = Math.min(size - edge, Math.max(edge, size / 2 + (marker[0] - cx) * scale));
    const y = Math.min(size - edge, Math.max(edge, size / 2 - (marker[1] - cy) * scale));
    for (const [colour, width] of [['#0b1222', 6], ['#ffffff', 3]]) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width * (window.devicePixelRatio || 1);
      ctx.beginPath();
      ctx.arc(x, y, 5 * dot, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
  return frame;
}

/**
 * The map section: reads its settings, asks the worker for a map, and redraws as t-SNE runs.
 * `available()` says which sources have a trained model; `send` posts a worker command.
 */
export class LatentMapView {
  constructor({ send, available, onError }) {
    const $ = (id) => document.getElementById(id);
    this.ui = {
      decoded: $('map-decoded'), decodedText: $('map-decoded-text'),
      form: $('map-settings'), draw: $('map-draw'), stop: $('map-stop'), view: $('map-view'),
      progress: $('map-progress'), text: $('map-progress-text'), canvas: $('map-canvas'),
      layers: $('map-layers'), legend: $('map-legend'),
    };
    this.send = send;
    this.available = available;
    this.onError = onError;
    /** What the page knows of the map; read by the browser tests as lab.map. */
    this.state = { running: false, map: null, embedding: null, iteration: 0, iterations: 0, agreement: null, drawn: 0 };
    this.ui.draw.addEventListener('click', () => this.start());
    this.ui.stop.addEventListener('click', () => this.send({ type: 'map-stop' }));
    this.ui.view.addEventListener('change', () => this.redraw());
    this.ui.layers.addEventListener('change', () => this.redraw());
    new ResizeObserver(() => this.redraw()).observe(this.ui.canvas);
    this.ui.canvas.addEventListener('click', (event) => this.decodeAt(event));
    this.legend();
    this.sync();
  }

  /** Enables what can be used now. */
  sync(busy = false) {
    const sources = this.available();
    for (const option of this.ui.form.elements.source.options) option.disabled = !sources[option.value];
    const source = this.ui.form.elements.source;
    if (!sources[source.value]) {
      const first = [...source.options].find((o) => !o.disabled);
      if (first) source.value = first.value;
    }
    const any = Object.values(sources).some(Boolean);
    this.ui.draw.disabled = !any || this.state.running || busy;
    this.ui.stop.disabled = !this.state.running;
    if (!any && !this.state.map) this.ui.text.textContent = 'Train the autoencoder (or the VAE or AAE) first.';
    else if (!this.state.map && !this.state.running) this.ui.text.textContent = 'Ready.';
  }

  start() {
    const { config } = readSection('map');     // menus only: nothing to refuse
    this.state = { ...this.state, running: true, map: null, embedding: null, iteration: 0, agreement: null, config, marker: null };
    this.ui.text.textContent = 'Encoding the digits…';
    this.ui.progress.value = 0;
    this.sync();
    this.send({ type: 'map', config });
  }

  /** Worker events 'map', 'map-progress' and 'map-decoded'; an 'error' while starting ends the run. */
  handle(msg) {
    if (msg.type === 'map-decoded') { this.showDecoded(msg); return; }
    if (msg.type === 'error') {
      if (this.state.running && (!this.state.map || msg.fatal)) {
        this.state.running = false;
        this.sync();
        this.ui.text.textContent = 'No map: see the message below.';
      }
      return;
    }
    if (msg.type === 'map') {
      this.state.map = msg;
      this.state.iterations = msg.iterations;
      this.ui.view.value = 'pca';
      this.redraw();
      this.ui.text.textContent = `PCA shown; t-SNE starting. Neighbours share a label in the codes themselves ${percent(msg.code_agreement)} of the time.`;
      this.legend();
      return;
    }
    // map-progress
    if (msg.embedding) {
      this.state.embedding = msg.embedding;
      this.state.iteration = msg.iteration;
      if (this.ui.view.value !== 'tsne') this.ui.view.value = 'tsne';
      this.redraw();
    }
    this.ui.progress.value = msg.iterations ? msg.iteration / msg.iterations : 0;
    if (msg.done) {
      this.state.running = false;
      this.state.agreement = msg.agreement ?? null;
      const codes = this.state.map ? ` (in the codes themselves: ${percent(this.state.map.code_agreement)})` : '';
      this.ui.text.textContent = msg.stopped
        ? `t-SNE stopped at iteration ${msg.iteration ?? 0} of ${msg.iterations}.`
        : `t-SNE done: ${msg.iterations} iterations. A digit's ten nearest neighbours on the map mostly share its label ${percent(msg.agreement)} of the time${codes}.`;
      this.sync();
    } else {
      this.ui.text.textContent = `t-SNE: iteration ${msg.iteration} of ${msg.iterations}.`;
    }
  }

  visible() {
    const v = { digits: true };
    for (const box of this.ui.layers.querySelectorAll('input[type=checkbox]')) v[box.name] = box.checked;
    return v;
  }

  redraw() {
    const map = this.state.map;
    if (!map) return;
    const tsne = this.ui.view.value === 'tsne' && this.state.embedding;
    const points = tsne ? this.state.embedding : map.preview;
    const marker = this.state.marker ? (tsne ? this.state.marker.slice(2, 4) : this.state.marker.slice(0, 2)) : null;
    this.frame = drawMap(this.ui.canvas, points, map.labels, map.overlays, this.visible(), marker);
    this.state.drawn++;
    document.getElementById('map-empty').hidden = true;
  }

  /** Marks where a drawn digit's code lands (`[pca x, pca y, t-SNE x, t-SNE y]`), or nothing. */
  mark(place) {
    this.state.marker = place ?? null;
    this.redraw();
    if (this.state.map) this.legend();
  }

  /** A click on the map: decode the code behind that spot (worker: 'map-decode'). */
  decodeAt(event) {
    if (!this.state.map || !this.frame) return;
    const rect = this.ui.canvas.getBoundingClientRect();
    const px = ((event.clientX - rect.left) / rect.width) * this.frame.size;
    const py = ((event.clientY - rect.top) / rect.height) * this.frame.size;
    const x = this.frame.cx + (px - this.frame.size / 2) / this.frame.scale;
    const y = this.frame.cy - (py - this.frame.size / 2) / this.frame.scale;
    this.send({ type: 'map-decode', x, y, tsne: this.ui.view.value === 'tsne' && Boolean(this.state.embedding) });
  }

  /** The decoded digit beside the map, and what it is. */
  showDecoded(msg) {
    drawDigits(this.ui.decoded, msg.pixels, 1, 1);
    const map = this.state.map;
    let what = `the code at (${msg.x.toFixed(2)}, ${msg.y.toFixed(2)}) on the PCA plane`;
    if (msg.nearest !== null && map) {
      const i = msg.nearest;
      const overlay = map.overlays.find((o) => i >= o.start && i < o.start + o.count);
      what = overlay ? `the nearest point: one of the ${OVERLAYS[overlay.name]?.label ?? overlay.name}` : `the nearest point: a test digit labelled ${map.labels[i]}`;
    }
    this.ui.decodedText.textContent = `Decoded: ${what}.`;
    this.state.decoded = msg;
  }

  /** The key: a swatch per digit and a mark per overlay the current map holds. */
  legend() {
    // Built as elements, not markup: the page's policy allows no inline style attributes.
    const item = (className, text, colour) => {
      const mark = document.createElement('span');
      mark.className = className;
      if (colour) mark.style.background = colour;
      else { mark.textContent = text; mark.setAttribute('aria-hidden', 'true'); }
      return mark;
    };
    const row = (mark, label) => { const li = document.createElement('li'); li.append(mark, label); return li; };
    // As many classes as the data set names (your own images: their folders, or one).
    const items = DIGIT_COLOURS.slice(0, DATA.classes.length).map((c, d) => row(item('swatch', '', c), DATA.classes[d]));
    for (const o of this.state.map?.overlays ?? []) {
      const symbol = { cross: '×', plus: '+', ring: '○' }[OVERLAYS[o.name]?.shape ?? 'ring'];
      items.push(row(item('mark', symbol), OVERLAYS[o.name]?.label ?? o.name));
    }
    if (this.state.marker) items.push(row(item('mark', '◯'), 'your drawing (step 3)'));
    this.ui.legend.replaceChildren(...items);
    for (const box of this.ui.layers.querySelectorAll('input[type=checkbox]')) {
      const present = box.name === 'digits' || (this.state.map?.overlays ?? []).some((o) => o.name === box.name);
      box.closest('label').hidden = !present;
    }
  }
}

function percent(x) {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–';
}
