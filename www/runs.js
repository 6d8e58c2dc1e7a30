// Runs one after another: what Compare all and the one-press story both do. The worker answers
// in events; a driver waits on the one that ends each run, and on nothing once the worker that
// would send it is gone.

/** Waits for worker events on behalf of a sequence of runs. */
export class RunDriver {
  /** `page`: `startRun(phase, config)`, which starts a run; `phase()`, the phase the worker runs. */
  constructor(page) {
    this.page = page;
    this.waiters = [];
  }

  /** Every worker event goes through here: it settles what a sequence waits for. */
  offer(msg) {
    for (const waiter of [...this.waiters]) {
      if (msg.type === 'error') waiter.reject(new Error(msg.message));
      else if (waiter.test(msg)) waiter.resolve(msg);
      else continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
    }
  }

  /** Ends what the sequence waits for with `message`: the worker it drove is gone (crashed,
   * hung, its GPU lost), so nothing it waits for will come. */
  abort(message) {
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(message));
  }

  /** Resolves with the first event that passes `test`; rejects on an error event. */
  next(test) {
    return new Promise((resolve, reject) => this.waiters.push({ test, resolve, reject }));
  }

  /** Trains `phase` with `config` to its end; resolves with how it ended, 'done' or 'stopped'
   * (Stop). (Reset ends a sequence through `abort`.) */
  async train(phase, config) {
    // Only the end of the run started here: a 'done' already on its way (models that finished
    // loading as the run was asked for) is not it.
    let begun = false;
    const ended = this.next((m) => {
      if (m.type === 'started' && m.phase === phase) begun = true;
      return begun && m.type === 'state' && (m.state === 'done' || m.state === 'stopped');
    });
    await this.page.startRun(phase, config);
    return (await ended).state;
  }
}
