// The draw pad (step 3): a visitor draws a digit with a mouse, a pen, a finger or the keyboard,
// and the worker's models read it as it is drawn (src/inspect.rs: every number shown is the
// library's). This module draws the strokes, sends the ink, and shows the reading.
import { drawDigits } from './digits.js';

/** The pad's side in canvas pixels, and a pen that, once the digit is fitted into MNIST's
 * 20 × 20 box, gives MNIST's two-pixel strokes to a digit drawn most of the pad's height. */
const SIDE = 280;
const PEN = 22;
/** How far one arrow key moves the keyboard's pen (with Shift: a fine step). */
const KEY_STEP = 10;
const FINE_STEP = 2;

/** Example strokes (in pad pixels) for the buttons: a drawing from the keyboard in one press. */
const EXAMPLES = {
  1: [[[150, 40], [130, 240]]],
  0: [Array.from({ length: 65 }, (_, i) => {
    const a = (i / 64) * 2 * Math.PI;
    return [140 + 70 * Math.cos(a), 140 + 90 * Math.sin(a)];
  })],
  7: [[[70, 50], [215, 50], [120, 245]]],
  A: [[[60, 250], [140, 30], [220, 250]], [[95, 160], [185, 160]]],
};

export class DrawPad {
  /** `send(command)`: to the worker; `onPlace(place)`: the drawing's spot on the latent map. */
  /** `source(reading)`: whose models read it, in words. */
  constructor({ send, onPlace, source }) {
    const $ = (id) => document.getElementById(id);
    this.send = send;
    this.onPlace = onPlace;
    this.source = source;
    this.ui = {
      pad: $('draw-pad'), cursor: $('draw-cursor'), clear: $('draw-clear'), verdict: $('draw-verdict'),
      meter: $('draw-meter'), scores: $('draw-scores'), input: $('draw-input'), reconstruction: $('draw-reconstruction'),
      nearest: $('draw-nearest'), nearestText: $('draw-nearest-text'), source: $('draw-source'),
    };
    this.ctx = this.ui.pad.getContext('2d');
    this.inked = false;
    this.pen = { x: SIDE / 2, y: SIDE / 2, down: false };
    this.last = null;          // the previous point of the stroke being drawn
    this.asked = 0;            // the newest id: of the last reading asked for, or bumped when the drawing or the models change
    this.awaiting = null;      // the id of the reading awaited: the next waits for it (no queue of stale ones)
    this.dirty = false;        // the drawing changed while a reading was awaited
    this.reading = null;       // the last reading, for the tests (window.lab.draw)
    this.clear();
    this.listen();
  }

  listen() {
    const { pad } = this.ui;
    pad.addEventListener('pointerdown', (e) => {
      pad.setPointerCapture(e.pointerId);
      this.last = this.at(e);
      this.dot(this.last);
      e.preventDefault();
    });
    pad.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      // Every point the browser coalesced into this event, so a fast stroke stays smooth.
      for (const event of e.getCoalescedEvents?.() ?? [e]) this.lineTo(this.at(event));
    });
    const end = () => { this.last = null; this.changed(); };
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
    pad.addEventListener('keydown', (e) => this.key(e));
    pad.addEventListener('keyup', (e) => { if (e.key === ' ') { this.pen.down = false; this.showCursor(); } });
    pad.addEventListener('focus', () => this.showCursor());
    pad.addEventListener('blur', () => { this.ui.cursor.hidden = true; this.pen.down = false; });
    this.ui.clear.addEventListener('click', () => { this.clear(); this.show(null); });
    for (const button of document.querySelectorAll('[data-draw-example]')) {
      button.addEventListener('click', () => this.example(button.dataset.drawExample));
    }
  }

  /** A pointer event's position in pad pixels. */
  at(e) {
    const rect = this.ui.pad.getBoundingClientRect();
    return [((e.clientX - rect.left) / rect.width) * SIDE, ((e.clientY - rect.top) / rect.height) * SIDE];
  }

  /** The keyboard's pen: arrows move it, Space held puts it down. */
  key(e) {
    const step = e.shiftKey ? FINE_STEP : KEY_STEP;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (e.key === ' ') {
      if (!this.pen.down) { this.pen.down = true; this.dot([this.pen.x, this.pen.y]); this.changed(); }
    } else if (moves[e.key]) {
      const from = [this.pen.x, this.pen.y];
      this.pen.x = Math.min(SIDE, Math.max(0, this.pen.x + moves[e.key][0]));
      this.pen.y = Math.min(SIDE, Math.max(0, this.pen.y + moves[e.key][1]));
      if (this.pen.down) { this.last = from; this.lineTo([this.pen.x, this.pen.y]); this.last = null; this.changed(); }
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      this.clear(); this.show(null);
    } else {
      return;
    }
    e.preventDefault();
    this.showCursor();
  }

  showCursor() {
    const { cursor, pad } = this.ui;
    if (document.activeElement !== pad) return;
    cursor.hidden = false;
    cursor.style.left = `${(this.pen.x / SIDE) * 100}%`;
    cursor.style.top = `${(this.pen.y / SIDE) * 100}%`;
    cursor.classList.toggle('down', this.pen.down);
  }

  clear() {
    this.ctx.clearRect(0, 0, SIDE, SIDE);
    this.ctx.strokeStyle = this.ctx.fillStyle = '#ffffff';
    this.ctx.lineWidth = PEN;
    this.ctx.lineCap = this.ctx.lineJoin = 'round';
    this.inked = false;
    this.asked++;              // a reading still on its way is of the old drawing
  }

  dot([x, y]) {
    this.ctx.beginPath();
    this.ctx.arc(x, y, PEN / 2, 0, 2 * Math.PI);
    this.ctx.fill();
    this.inked = true;
  }

  lineTo(point) {
    this.ctx.beginPath();
    this.ctx.moveTo(...this.last);
    this.ctx.lineTo(...point);
    this.ctx.stroke();
    this.last = point;
    this.inked = true;
    this.changed();
  }

  /** Draws an example with the pad's own pen. */
  example(name) {
    this.clear();
    for (const stroke of EXAMPLES[name] ?? []) {
      this.last = stroke[0];
      this.dot(stroke[0]);
      for (const point of stroke.slice(1)) this.lineTo(point);
      this.last = null;
    }
    this.changed();
  }

  /** The drawing as the worker takes it: `{ink, width, height}`, ink in [0, 1]; null when empty. */
  drawing() {
    if (!this.inked) return null;
    const image = this.ctx.getImageData(0, 0, SIDE, SIDE).data;
    const ink = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < ink.length; i++) ink[i] = image[4 * i + 3] / 255;
    return { ink, width: SIDE, height: SIDE };
  }

  /** Whether a reading is awaited (the tests wait for none). */
  get inFlight() { return this.awaiting !== null; }

  /** The drawing changed: read it now, or when the reading awaited comes back. */
  changed() {
    if (!this.inked) return;
    if (this.inFlight) { this.dirty = true; return; }
    this.dirty = false;
    this.awaiting = ++this.asked;
    this.send({ type: 'inspect', id: this.awaiting, ...this.drawing() });
  }

  /** The worker has the digits, or its models changed (a run ended, a file loaded, a fresh
   * worker): read the drawing again. The reading awaited is given up on (a dead worker's never
   * comes; a live one's is of the old models): its answer, if it comes, is dropped, so that it
   * does not ask again behind the new one. */
  setReady() {
    this.lost();
    this.asked++;
    if (this.inked) this.changed();
  }

  /** The worker died: the reading awaited will not come; the next drawing asks a new one. */
  lost() {
    this.awaiting = null;
  }

  /** The worker's answer ('inspection'). */
  handle(msg) {
    if (msg.id !== this.awaiting) return;   // given up on (setReady, lost)
    this.awaiting = null;
    if (msg.id === this.asked) {
      if (msg.error) this.showError(msg.error);
      else this.show(msg.reading);
    }
    if (this.dirty || (msg.id !== this.asked && this.inked)) this.changed();
  }

  showError(message) {
    this.reading = null;
    this.ui.verdict.textContent = /not loaded yet|no backend/.test(message)
      ? 'The digits are still arriving: your drawing is read as soon as they are in.'
      : /train it first/.test(message) ? 'There is no autoencoder yet: train one (step 1).' : `Cannot read it: ${message}`;
    this.ui.scores.replaceChildren();
  }

  /** Shows a reading, or the empty pad's invitation (`null`). */
  show(reading) {
    this.reading = reading;
    const { verdict, meter, scores, input, reconstruction, nearest, nearestText } = this.ui;
    for (const figure of [input, reconstruction, nearest]) figure.closest('figure').classList.toggle('empty', !reading);
    if (!reading) {
      verdict.textContent = 'Draw a digit in the box (or press an example).';
      meter.value = 0;
      scores.replaceChildren();
      nearestText.textContent = '';
      this.onPlace(null);
      return;
    }
    this.ui.source.textContent = `Read by ${this.source(reading)}.`;
    drawDigits(input, reading.input, 1, 1);
    drawDigits(reconstruction, reading.reconstruction, 1, 1);
    drawDigits(nearest, reading.nearest_pixels, reading.nearest.length, reading.nearest.length);
    nearestText.textContent = `Training digits with the nearest codes: ${reading.nearest_labels.join(', ')}.`;
    nearest.setAttribute('aria-label', `The ${reading.nearest.length} training digits with the nearest codes, labelled ${reading.nearest_labels.join(', ')}`);
    const p = reading.joint_percentile ?? reading.reconstruction_percentile;
    meter.value = p / 100;
    const whose = reading.joint === null ? 'For the autoencoder alone (train the flow, step 2, for a density)' : 'For FlowAE';
    verdict.textContent = `${whose}: ${typicality(p)} real digits.`;
    const rows = [];
    if (reading.joint !== null) {
      rows.push(['FlowAE, the whole drawing: log q(z) + log p(x | z)', nats(reading.joint), `${typicality(reading.joint_percentile)} real digits`]);
      rows.push(['The flow, its code alone: log q(z)', nats(reading.log_density), `${ranked(reading.density_percentile, 'more likely', 'less likely')} real digits' codes`]);
    }
    rows.push(['The decoder, its pixels from that code: log p(x | z)', nats(reading.reconstruction_log_likelihood),
      `${ranked(reading.reconstruction_percentile, 'drawn back better', 'drawn back worse')} real digits`]);
    if (reading.critic !== null) {
      rows.push(["AdvAE's critic, D(z): a score, not a density", reading.critic.toFixed(2), `${ranked(reading.critic_percentile, 'higher', 'lower')} real digits' scores`]);
    }
    scores.replaceChildren(...rows.map(([what, value, rank]) => {
      const row = document.createElement('tr');
      for (const text of [what, value, rank]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }));
    this.onPlace(reading.place);
  }
}

const nats = (value) => `${value.toFixed(1)} nats`;
const percent = (p) => `${p < 1 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;

/** "more typical than 83% of" or "less typical than 97% of", from a percentile. */
const typicality = (p) => ranked(p, 'more typical', 'less typical');

/** `above` than p% of, or `below` than (100 − p)% of: the larger share, in words. */
function ranked(p, above, below) {
  return p >= 50 ? `${above} than ${percent(p)} of` : `${below} than ${percent(100 - p)} of`;
}
