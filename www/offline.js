// Offline and installable: registers the service worker (sw.js) once the page has what it needs,
// asks it to keep this page's data set, its models and its classifier, says when the page is
// ready offline and how much it keeps, and when a new version has been deployed offers to reload
// into it (the new version waits until then: a page never runs two versions' files).

/** The page's offline line: `status` the element that says where it stands, `update` the
 * button that reloads into a new version. */
export class Offline {
  constructor({ status, update }) {
    this.status = status;
    this.update = update;
    this.state = 'off';             // 'off', 'keeping', 'ready', 'failed' (read by the tests)
    this.kept = null;               // the worker's last {version, bytes, missing}
    this.registration = null;
    this.offered = false;           // a new version waits for the visitor
    this.update.hidden = true;
    this.update.addEventListener('click', () => {
      const waiting = this.registration?.waiting;
      if (!waiting) { location.reload(); return; }
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
      waiting.postMessage({ type: 'skip-waiting' });
    });
  }

  say(text) {
    this.status.textContent = text;
  }

  /** Registers the service worker (once) and asks it to keep `paths` beside the page itself;
   * `what` names them for the visitor ("MNIST"). */
  async keep(paths, what) {
    if (!('serviceWorker' in navigator)) {
      this.say('This browser cannot keep the page for offline use.');
      return;
    }
    try {
      this.state = 'keeping';
      this.say('Keeping the page for offline use…');   // one short line: the line's height is kept for it (style.css)
      if (!this.registration) {
        this.registration = await navigator.serviceWorker.register('sw.js', { updateViaCache: 'none' });
        this.watchUpdates(this.registration);
        // Is there a new version? (Offline, the check fails and the kept one serves.)
        if (navigator.serviceWorker.controller) this.registration.update().catch(() => {});
      }
      const active = await this.activeWorker(this.registration);
      this.kept = await ask(active, { type: 'keep', paths });
      const mb = (this.kept.bytes / 1e6).toFixed(1);
      this.state = this.kept.missing.length ? 'failed' : 'ready';
      if (!this.offered) this.say(this.kept.missing.length
        ? `Kept for offline use: ${mb} MB, but not ${this.kept.missing.join(', ')} (the network failed): it is tried again at the next visit.`
        : `Ready offline: ${what} kept here (${mb} MB)`);
      this.status.title = 'The page opens and trains without a network from now on: it, its data set, its models and its classifier are kept in this browser.';
    } catch (e) {
      this.state = 'failed';
      this.say(`Not kept for offline use: ${e.message ?? e}.`);
    }
  }

  /** The registration's active worker, once there is one (a first visit waits for it to
   * install and activate). */
  activeWorker(registration) {
    if (registration.active) return Promise.resolve(registration.active);
    const worker = registration.installing ?? registration.waiting;
    return new Promise((resolve, reject) => {
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') resolve(worker);
        if (worker.state === 'redundant') reject(new Error('the service worker could not install (storage full, or a file could not be fetched)'));
      });
    });
  }

  /** A new version found (at this visit's registration, or by the browser's own checks) waits
   * for the visitor: the button reloads into it. */
  watchUpdates(registration) {
    const offer = () => {
      if (!navigator.serviceWorker.controller) return;   // a first install: nothing to replace
      this.offered = true;
      this.update.hidden = false;
      this.say('A new version of the page is ready: reload to use it (this page stays as it is until then).');
    };
    if (registration.waiting) offer();
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => { if (worker.state === 'installed') offer(); });
    });
  }
}

/** Sends `message` to a service worker and resolves with its answer (on a MessageChannel). */
function ask(worker, message) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => reject(new Error('the service worker did not answer')), 120_000);
    channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data); };
    worker.postMessage(message, [channel.port2]);
  });
}
