// The worker's heartbeat and how long the page waits for it, written once for both sides.
//
// The worker posts {type: 'alive'} every ALIVE_MS while its event loop turns, which it does
// between training chunks (~0.1 s) and between commands. A worker silent for SILENT_MS is taken
// for hung (stuck in a call that never returns) or dead (killed, closed, out of memory without
// an error event). The wait is long beside a chunk because a few calls run in one piece: the
// classifier's check of 10,000 digits takes seconds on a slow phone's CPU.
export const ALIVE_MS = 1000;
export const SILENT_MS = 20_000;

/** How often a failing worker is restarted before the page stops and says so: at most
 * RESTARTS within RESTART_WINDOW_MS, each after a longer pause (1 s, 2 s, 4 s). */
export const RESTARTS = 3;
export const RESTART_WINDOW_MS = 120_000;
export const restartDelay = (attempt) => 1000 * 2 ** attempt;
