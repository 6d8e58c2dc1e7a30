// Chromium's own account of its memory (memory-infra): a dump per process, after a forced
// garbage collection, broken down by allocator (malloc, partition_alloc, v8, blink_gc, cc, gpu,
// …). The soak takes one at the end of its warm-up and one at its end, so that growth can be
// put down to the allocator that holds it, not only seen in the resident set.

/** Takes a dump through `cdp` (a browser-level CDP session); returns
 * {processName: {allocators: {name: bytes}}}, allocators to two levels ("v8", "v8/main"). */
export async function memoryDump(cdp) {
  const events = [];
  const onData = (e) => events.push(...e.value);
  cdp.on('Tracing.dataCollected', onData);
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], memoryDumpConfig: { triggers: [] } },
    transferMode: 'ReportEvents',
  });
  const { success } = await cdp.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', onData);
  if (!success) return null;
  const names = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'process_name') names.set(e.pid, e.args.name);
  const result = {};
  const seen = new Map();
  for (const e of events) {
    if (e.ph !== 'v' || !e.args?.dumps) continue;
    let name = names.get(e.pid) ?? `pid ${e.pid}`;
    seen.set(name, (seen.get(name) ?? 0) + 1);
    if (seen.get(name) > 1) name = `${name} ${seen.get(name)}`;
    const { allocators = {} } = e.args.dumps;
    const bytes = (hex) => (hex ? parseInt(hex, 16) : 0);
    const entry = { allocators: {} };
    for (const [allocator, { attrs }] of Object.entries(allocators)) {
      // Top-level allocators and one level below them (v8/main, partition_alloc/partitions, …).
      if (allocator.split('/').length > 2 || !attrs?.size) continue;
      entry.allocators[allocator] = bytes(attrs.size.value);
    }
    result[name] = entry;
  }
  return result;
}

/** Lines of what grew from dump `a` to dump `b`, largest first, at least `min` bytes, by
 * process and allocator. Shared memory is left out: the tracing that takes the dumps keeps a
 * 4 MiB buffer in every process, which is the soak's instrument, not the page. */
export function growth(a, b, min = 256 * 1024) {
  const lines = [];
  const mib = (x) => (x / 2 ** 20).toFixed(2);
  for (const [process, after] of Object.entries(b)) {
    const before = a[process];
    if (!before) continue;
    const rows = Object.entries(after.allocators)
      .filter(([name]) => !/^(shared_memory|global)\b/.test(name))
      .map(([name, size]) => [name, size - (before.allocators[name] ?? 0), size])
      .filter(([, delta]) => Math.abs(delta) >= min)
      .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
    if (rows.length === 0) continue;
    lines.push(`${process}:`);
    for (const [name, delta, size] of rows) lines.push(`  ${name}: ${delta > 0 ? '+' : ''}${mib(delta)} MiB (now ${mib(size)})`);
  }
  return lines;
}
