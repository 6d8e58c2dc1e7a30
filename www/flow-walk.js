// The flow, layer by layer (step 2's fold): a cloud of base draws walked through each coupling
// layer to the codes, on the plane of the real codes with the encoded digits behind; or a
// drawing's code (step 3) walked back to the Gaussian. The worker computes every stage
// (src/walk.rs); this module draws the stage the slider is at.
import { drawDigits } from './digits.js';
import { DIGIT_COLOURS, centralRange } from './latent-map.js';

/** Base draws walked forward, and how long each stage is shown when playing. */
const COUNT = 300;
const PLAY_MS = 700;

export class FlowWalk {
  /** `send(command)`: to the worker; `drawing()`: the draw pad's ink ({ink, width, height}) or null. */
  constructor({ send, drawing, temperature }) {
    const $ = (id) => document.getElementById(id);
    this.send = send;
    this.drawing = drawing;
    this.temperature = temperature;
    this.ui = {
      forward: $('walk-forward'), back: $('walk-back'), play: $('walk-play'), stage: $('walk-stage'),
      text: $('walk-text'), canvas: $('walk-canvas'), digit: $('walk-digit'), digitText: $('walk-digit-text'),
    };
    this.walk = null;           // the last walk ('walk' event), for the tests (window.lab.walk)
    this.asked = 0;
    this.timer = null;
    this.ui.forward.addEventListener('click', () => this.start(false));
    this.ui.back.addEventListener('click', () => this.start(true));
    this.ui.stage.addEventListener('input', () => { this.stop(); this.show(); });
    this.ui.play.addEventListener('click', () => (this.timer ? this.stop() : this.play()));
    new ResizeObserver(() => this.show()).observe(this.ui.canvas);
  }

  start(backwards) {
    this.stop();
    if (backwards) {
      const drawn = this.drawing();
      if (!drawn) { this.ui.text.textContent = 'Draw a digit in step 3 first: its code is what walks back.'; return; }
      this.send({ type: 'walk', id: ++this.asked, ...drawn });
    } else {
      this.send({ type: 'walk', id: ++this.asked, count: COUNT, temperature: this.temperature(), seed: 7 });
    }
    this.ui.text.textContent = 'Walking through the flow…';
  }

  /** The worker's 'walk' event. */
  handle(msg) {
    if (msg.id !== this.asked) return;
    if (msg.error) {
      this.ui.text.textContent = /no flow yet/.test(msg.error) ? 'There is no flow yet: train it (above) or load models.' : `No walk: ${msg.error}`;
      return;
    }
    const walk = msg.walk;
    this.walk = walk;
    this.frame = frameOf(walk);
    const last = walk.planes.length - 1;
    this.ui.stage.max = String(last);
    this.ui.stage.disabled = false;
    this.ui.play.disabled = false;
    // Forwards from the Gaussian; backwards from the drawing's code.
    this.ui.stage.value = String(walk.backwards ? last : 0);
    this.show();
    this.play();
  }

  play() {
    if (!this.walk) return;
    const last = this.walk.planes.length - 1;
    const step = this.walk.backwards ? -1 : 1;
    const end = this.walk.backwards ? 0 : last;
    if (Number(this.ui.stage.value) === end) this.ui.stage.value = String(this.walk.backwards ? last : 0);
    this.ui.play.textContent = 'Pause';
    this.timer = setInterval(() => {
      const next = Number(this.ui.stage.value) + step;
      this.ui.stage.value = String(next);
      this.show();
      if (next === end) this.stop();
    }, PLAY_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.ui.play.textContent = 'Play';
  }

  /** Draws the stage the slider is at, and says what it is. */
  show() {
    const walk = this.walk;
    if (!walk) return;
    const i = Number(this.ui.stage.value);
    const name = walk.names[i];
    let text = `${capital(name)}.`;
    if (i > 0) {
      const d = walk.log_dets[i - 1];
      const factor = Math.exp(Math.abs(d));
      const times = factor >= 100 ? Math.round(factor).toLocaleString('en') : factor.toFixed(2);
      text += ` This layer's mean log|det J| is ${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)} nats: it ${d >= 0 ? 'stretches' : 'squeezes'} volume ${times}-fold.`;
    } else {
      text += walk.backwards ? ' The real codes, pulled all the way back, look like the Gaussian the flow starts from.' : ' Every sample starts here.';
    }
    this.ui.text.textContent = text;
    this.ui.stage.setAttribute('aria-valuetext', name);
    drawStage(this.ui.canvas, walk, i, this.frame);
    drawDigits(this.ui.digit, walk.tracked.subarray(i * 784, (i + 1) * 784), 1, 1);
    this.ui.digit.setAttribute('aria-label', `The tracked point decoded ${i === walk.planes.length - 1 ? 'from its code' : name}`);
    this.ui.digitText.textContent = walk.backwards
      ? (i === walk.planes.length - 1 ? 'Your drawing, decoded from its code' : 'The tracked point decoded here (your drawing, part of the way back)')
      : (i === walk.planes.length - 1 ? 'The tracked point decoded: a FlowAE sample' : 'The tracked point decoded here (not yet a code)');
  }
}

/** A stage's name at the start of a sentence ("z0 ~ N(0, I)" keeps its small z). */
const capital = (text) => (text.startsWith('after') ? `A${text.slice(1)}` : text);

/** One frame for every stage of a walk (so that the slider moves the points, not the view): the
 * central 98% of the digits and of every stage's points. */
function frameOf(walk) {
  const xs = []; const ys = [];
  const add = (points) => { for (let i = 0; i < points.length; i += 2) { xs.push(points[i]); ys.push(points[i + 1]); } };
  add(walk.digits);
  for (const plane of walk.planes) add(plane);
  const [x0, x1] = centralRange(xs, 0.98); const [y0, y1] = centralRange(ys, 0.98);
  return { x0, x1, y0, y1 };
}

/** The digits (faint, coloured by label), the stage's cloud (white) and the tracked point (ring). */
function drawStage(canvas, walk, i, frame) {
  const size = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)) || 480;
  if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#0b1222';
  ctx.fillRect(0, 0, size, size);
  const scale = Math.min(size / (frame.x1 - frame.x0), size / (frame.y1 - frame.y0));
  const cx = (frame.x0 + frame.x1) / 2; const cy = (frame.y0 + frame.y1) / 2;
  const edge = 3;
  const at = (points, j) => [
    Math.min(size - edge, Math.max(edge, size / 2 + (points[2 * j] - cx) * scale)),
    Math.min(size - edge, Math.max(edge, size / 2 - (points[2 * j + 1] - cy) * scale)),
  ];
  const dot = Math.max(2, size / 220);
  ctx.globalAlpha = 0.7;
  for (let j = 0; j < walk.labels.length; j++) {
    const [x, y] = at(walk.digits, j);
    ctx.fillStyle = DIGIT_COLOURS[walk.labels[j]];
    ctx.fillRect(x - dot / 2, y - dot / 2, dot, dot);
  }
  ctx.globalAlpha = 0.9;
  ctx.fillStyle = '#ffffff';
  const plane = walk.planes[i];
  for (let j = 1; j < plane.length / 2; j++) {
    const [x, y] = at(plane, j);
    ctx.beginPath();
    ctx.arc(x, y, dot * 0.9, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  const [x, y] = at(plane, 0);
  for (const [colour, width] of [['#0b1222', 6], ['#f97316', 3]]) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width * (window.devicePixelRatio || 1);
    ctx.beginPath();
    ctx.arc(x, y, 5 * dot, 0, 2 * Math.PI);
    ctx.stroke();
  }
}
