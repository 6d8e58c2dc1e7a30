// The page's one worker at a time: which LabWorker is in use, what happens when it fails, and
// moving the models to another one (a backend switch). Restarts back off and stop (heartbeat.js
// says how often); what the visitor is told is the page's (the hooks below).
import { LabWorker } from './worker-client.js';
import { RESTARTS, RESTART_WINDOW_MS, restartDelay } from './heartbeat.js';

/** The wait for a new worker's 'ready': it downloads and compiles its module first. */
const READY_MS = 180_000;

export class WorkerHost {
  /**
   * `onEvent(msg)`: every event of the worker in use. `onCrash({message, error, failures,
   * delay})`: the worker failed (`error`: its fatal error event, if any) and is replaced after
   * `delay` ms, or, with `delay` null, not again. `backendAfterCrash()`: the backend the
   * replacement trains on.
   */
  constructor({ onEvent, onCrash, backendAfterCrash }) {
    this.onEvent = onEvent;
    this.onCrash = onCrash;
    this.backendAfterCrash = backendAfterCrash;
    this.failures = [];            // when each recent failure happened
    this.worker = null;
  }

  /** A worker running `module`, training on `backend`; `preview`: models bytes to draw first. */
  start(module, backend, preview = null) {
    this.adopt(new LabWorker({ module, backend, preview }));
  }

  /** The module the worker in use runs ('cpu' or 'gpu'). */
  get module() { return this.worker.module; }

  send(command) { this.worker.post(command); }

  /** Sends `command` to the worker in use and resolves with its answer (LabWorker.request). */
  request(command, test, options) { return this.worker.request(command, test, options); }

  /** Makes `worker` the one in use. */
  adopt(worker) {
    this.worker = worker;
    worker.onEvent = (msg) => this.onEvent(msg);
    worker.onCrash = (message, error) => this.crashed(worker, message, error);
  }

  /** A worker that crashed, hung or died: replaced after a pause that grows with each failure,
   * until RESTARTS failures within RESTART_WINDOW_MS (a worker that fails as it starts would
   * otherwise be restarted for ever, each time downloading and compiling again). */
  crashed(worker, message, error) {
    if (worker !== this.worker) return;
    worker.terminate();
    const now = performance.now();
    this.failures.push(now);
    while (this.failures[0] < now - RESTART_WINDOW_MS) this.failures.shift();
    const gaveUp = this.failures.length > RESTARTS;
    const delay = gaveUp ? null : restartDelay(this.failures.length - 1);
    this.onCrash({ message, error, failures: this.failures.length, delay });
    if (!gaveUp) setTimeout(() => this.start(worker.module, this.backendAfterCrash()), delay);
  }

  /** A worker running the WebGPU module, ready (or refused with why). */
  async gpuWorker() {
    const next = new LabWorker({ module: 'gpu', backend: 'gpu' });
    try {
      next.readyMsg = await next.next((m) => m.type === 'ready', { timeoutMs: READY_MS });
      return next;
    } catch (error) {
      next.terminate();
      throw error;
    }
  }

  /** Makes `next` (a ready worker, see gpuWorker) the one in use, with the models of the one it
   * replaces; returns its 'ready' event. */
  async moveTo(next) {
    let bytes = null;
    try {
      const saved = await this.worker.request({ type: 'save', purpose: 'move' }, (m) => m.type === 'saved' && m.purpose === 'move',
        { failOn: (m) => m.command === 'save' });
      bytes = saved.bytes;
    } catch { /* no model to carry */ }
    const old = this.worker;
    this.adopt(next);
    old.terminate();
    if (bytes) this.send({ type: 'load', bytes, origin: 'moved' });
    return next.readyMsg;
  }

  /** Times training steps of `config` on the CPU (the worker in use) and on WebGPU (a worker
   * running the WebGPU module, which becomes the one in use if it is faster); returns
   * {cpu, gpu, backend, error?} in images per second and the backend that won. */
  async timeBackends(config) {
    const timed = (w, warmup, seconds) => w.request({ type: 'time', config, warmup, seconds }, (m) => m.type === 'timed',
      { timeoutMs: READY_MS, failOn: (m) => m.command === 'time' }).then((m) => m.imagesPerSecond);
    const cpu = await timed(this.worker, 1, 0.5);
    let gpu = null, error = null, next = null;
    try {
      next = await this.gpuWorker();
      if (next.readyMsg.backend !== 'gpu') throw new Error(next.readyMsg.notice ?? 'WebGPU did not start');
      gpu = await timed(next, 3, 1);
    } catch (e) {
      error = e.message.replace(/^Training on the CPU: /, '');
    }
    const backend = gpu !== null && gpu > cpu ? 'gpu' : 'cpu';
    if (backend === 'gpu') await this.moveTo(next);
    else next?.terminate();
    return { cpu, gpu, backend, ...(error ? { error } : {}) };
  }
}
