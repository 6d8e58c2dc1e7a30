// The page's side of a worker (protocol: worker.js): which wasm module it runs, the downloads
// it is fed, and waiting for its answers. Only this file creates workers.
//
// The downloads a first visit needs were started by index.html before any script loaded
// (window.early): the CPU module, the pretrained models and the binarized digits, in parallel.
// Every worker is fed from the same promises, so a second worker (WebGPU, or a fresh one after
// a crash) costs no second download.

import { fetchBytes } from './fetch-bytes.js';
import { SILENT_MS } from './heartbeat.js';
import { DATA } from './data-set.js';

const early = window.early ?? {};
const downloads = new Map(Object.entries(early.files ?? {}));

/** The bytes of a file shipped with the page, fetched once per page. */
export function download(path) {
  if (!downloads.has(path)) downloads.set(path, fetchBytes(path));
  return downloads.get(path);
}

/** The files each wasm module is made of (see build.sh). */
export const moduleFile = (module) => `pkg/flowae_${module}_bg.wasm`;
/** The binarized training and test images of the page's data set (tools/pack-mnist.mjs); null
 * for the visitor's own images, which come from own-store.js once confirmed. */
export const DIGITS = DATA.packed;
/** The models trained in advance for the page's data set (build.sh), the page's first picture
 * and the draw pad's readers before anything is trained; null where it has none. */
export const PRETRAINED = DATA.pretrained;

/**
 * One worker running one wasm module ('cpu': WebAssembly only; 'gpu': WebGPU and the CPU).
 * Events go to `onEvent`, except those a pending `next()` takes.
 */
export class LabWorker {
  /** `digits`: whether to feed it the data set's images (the 2-D lab needs none). `initialized` resolves once
   * 'init' is posted: a command posted after it is handled after the module is in; `fed()`
   * once the preview and the digits are posted too (or failed to download), for a command
   * that needs them (an embed's draw pad). */
  constructor({ module, backend, preview = null, onEvent = null, onCrash = null, digits = true }) {
    this.module = module;
    this.onEvent = onEvent;
    this.onCrash = onCrash;
    this.waiters = [];
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event) => { this.heard = performance.now(); this.dispatch(event.data); };
    // The watchdog: once the worker has spoken, silence for SILENT_MS means it hung or died
    // without an error event (heartbeat.js); the page hears of it as of a crash.
    // A page frozen or throttled in the background ticks late: that gap is not the worker's.
    this.heard = null;
    let tick = performance.now();
    this.watchdog = setInterval(() => {
      const now = performance.now();
      if (now - tick > 5000 && this.heard !== null) this.heard = now;
      tick = now;
      if (this.heard !== null && now - this.heard > SILENT_MS) {
        this.fail(`the worker stopped answering for ${Math.round(SILENT_MS / 1000)} s (hung, or closed by the browser)`);
      }
    }, 1000);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(event.message || 'the worker failed to start');
    };
    this.initialized = this.feed(backend, preview, digits);
  }

  /** Sends the module, then the preview models and the digits as each arrives; messages keep
   * their order, so 'init' is always handled first. Copies, not transfers: another worker may
   * need the same bytes. */
  async feed(backend, preview, digits) {
    const failed = (e) => this.dispatch({ type: 'error', message: e.message, fatal: false, command: 'download' });
    let wasm;
    try {
      wasm = await download(moduleFile(this.module));
    } catch (e) {
      failed(e);
      return;
    }
    if (this.terminated) return;
    this.post({ type: 'init', module: this.module, backend, wasm, data: DATA });
    const sends = [];
    if (preview) sends.push(preview.then((bytes) => this.post({ type: 'preview', bytes }), () => {}));
    if (digits && DIGITS) sends.push(Promise.all(DIGITS.map(download)).then(([train, test]) => this.post({ type: 'digits', train, test }), failed));
    // The visitor's own images wait for the visitor; 'sent' does not wait for them.
    // (Imported only here, so that a page or a widget on a shipped set does not download it.)
    else if (digits) import('./own-store.js').then(({ ownImages }) => ownImages()).then(({ pixels, labels }) => this.post({ type: 'own', pixels, labels }));
    this.sent = Promise.all(sends);   // 'initialized' is not theirs to wait for
  }

  /** Resolves once everything this worker is fed has been posted (see the constructor). */
  async fed() {
    await this.initialized;
    await this.sent;
  }

  post(command, transfer) {
    if (!this.terminated) this.worker.postMessage(command, transfer ?? []);
  }

  dispatch(msg) {
    if (msg.type === 'alive') return;
    const waiter = this.waiters.find((w) => (msg.type === 'error' ? w.failOn(msg) : w.test(msg)));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      clearTimeout(waiter.timer);
      if (msg.type === 'error') waiter.reject(new Error(msg.message));
      else waiter.resolve(msg);
      return;
    }
    if (msg.type === 'error' && msg.fatal) { this.fail(msg.message, msg); return; }
    this.onEvent?.(msg);
  }

  /** The next event that passes `test`, taken from `onEvent`. Rejects on an error event
   * (any, or those `failOn` picks), a crash, or after `timeoutMs`. */
  next(test, { timeoutMs = 120_000, failOn = () => true } = {}) {
    return new Promise((resolve, reject) => {
      const waiter = { test, failOn, resolve, reject };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no answer from the worker within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends `command` and resolves with the first answer that passes `test`. */
  request(command, test, options) {
    const answer = this.next(test, options);
    this.post(command);
    return answer;
  }

  /** Ends every wait and tells the page (`error`: the worker's fatal error event, if any). */
  fail(message, error = null) {
    clearInterval(this.watchdog);
    for (const waiter of this.waiters.splice(0)) { clearTimeout(waiter.timer); waiter.reject(new Error(message)); }
    if (!this.terminated) this.onCrash?.(message, error);
  }

  terminate() {
    this.terminated = true;
    clearInterval(this.watchdog);
    this.worker.terminate();
    for (const waiter of this.waiters.splice(0)) { clearTimeout(waiter.timer); waiter.reject(new Error('the worker was replaced')); }
  }
}
