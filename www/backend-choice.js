// Which backend trains for this visitor: never a slower one by default.
//
// The choice is 'auto', 'gpu' or 'cpu': a link's ?backend=, else what this browser remembered,
// else 'auto'. Auto trains on the CPU until it knows better: a software WebGPU adapter (a CPU
// emulation such as SwiftShader, ~60 images/s against the CPU backend's ~4,000) is never used
// unless chosen; a hardware adapter is timed against the CPU on the first Train, and the faster
// wins and is remembered. index.html reads the same remembered choice to fetch the right module.

const KEY = 'flowae-backend';

/** {choice: 'auto'|'gpu'|'cpu', measured?: {cpu, gpu, backend, adapter}} as this browser
 * remembered it, or {}. measured: auto's timing, and the backend it picked. */
export function remembered() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) ?? {};
  } catch {
    return {};
  }
}

/** Remembers a choice, with auto's timing when there is one. */
export function remember(choice, measured = null) {
  try {
    localStorage.setItem(KEY, JSON.stringify(measured ? { choice, measured } : { choice }));
  } catch { /* storage off: chosen again next visit */ }
}

/** This browser's WebGPU adapter: {name, fallback}, or null without one. */
export async function probeGpu() {
  if (!navigator.gpu) return null;
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ').trim();
    return { name: name || 'WebGPU adapter', fallback: Boolean(info.isFallbackAdapter) };
  } catch {
    return null;
  }
}

/**
 * What auto does with this adapter: {measure} when a timing must decide, else {notice} to
 * say why the CPU trains (null when there is nothing worth saying). `force` times even a
 * software adapter (?measure=1, for tests and the curious).
 */
export function autoPlan(gpu, force = false) {
  if (!gpu) return { measure: false, notice: 'Training on the CPU: this browser offers no WebGPU adapter.' };
  if (gpu.fallback && !force) {
    return { measure: false, notice: `This browser's WebGPU is a software emulation (${gpu.name}), far slower than the CPU backend, so the CPU trains. Choose GPU above to try it anyway.` };
  }
  return { measure: true, notice: null };
}

const rate = (n) => `${Math.round(n).toLocaleString('en-US')} images/s`;

/** "CPU: 3,800 images/s; WebGPU: 65 images/s — using the CPU". */
export function describe({ cpu, gpu, backend, error }) {
  const parts = [`CPU: ${rate(cpu)}`, gpu ? `WebGPU: ${rate(gpu)}` : `WebGPU: ${error ?? 'failed'}`];
  return `${parts.join('; ')} — using ${backend === 'gpu' ? 'WebGPU' : 'the CPU'}`;
}
