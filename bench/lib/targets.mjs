// Ratios (pair by pair, from the figures of one run) and the targets the issues set (6: the node
// in n8n and the core; 13: the Node client), computed from a results object (bench/results.json).
// Used by run.mjs, and by report.mjs when it re-renders.

export function computeRatios(results) {
  const { ns: NS, latencies: LATENCIES, concurrencies: CONCURRENCIES } = results.meta.options;
  const out = [];
  const find = (contender, concurrency, n, latencyMs) => results.n8n?.find((e) => e.contender === contender
    && (contender === 'recipe' || e.concurrency === concurrency) && e.n === n && e.latencyMs === latencyMs)?.median;
  const floor = (concurrency, n, latencyMs) => results.floor?.find((e) => e.concurrency === concurrency && e.n === n && e.latencyMs === latencyMs)?.median;
  for (const n of NS) {
    for (const latencyMs of LATENCIES) {
      const recipe = find('recipe', null, n, latencyMs);
      for (const c of CONCURRENCIES) {
        const ours = find('node', c, n, latencyMs);
        const fl = floor(c, n, latencyMs);
        out.push({
          n, latencyMs, concurrency: c,
          vsRecipe: ours?.callsPerSec && recipe?.callsPerSec ? Number((ours.callsPerSec / recipe.callsPerSec).toFixed(2)) : null,
          ofFloor: ours?.callsPerSec && fl?.callsPerSec ? Number((ours.callsPerSec / fl.callsPerSec).toFixed(3)) : null,
          rssVsRecipe: ours?.peakTreeRssMb && recipe?.peakTreeRssMb ? Number((ours.peakTreeRssMb / recipe.peakTreeRssMb).toFixed(2)) : null,
          wallVsRecipe: ours?.wallMs && recipe?.wallMs ? Number((recipe.wallMs / ours.wallMs).toFixed(2)) : null,
        });
      }
    }
  }
  return out;
}

export function computeTargets(results) {
  const { ns: NS, quick: QUICK } = results.meta.options;
  const t = [];
  const r = (n, latencyMs, c) => results.ratios?.find((x) => x.n === n && x.latencyMs === latencyMs && x.concurrency === c);
  const node = (n, latencyMs, c) => results.n8n?.find((e) => e.contender === 'node' && e.concurrency === c && e.n === n && e.latencyMs === latencyMs)?.median;
  const add = (name, measured, pass, note) => t.push({ name, measured, pass: measured == null ? null : pass, note });

  const a = r(10_000, 0, 20);
  const a5 = r(10_000, 0, 5);
  add('10,000 items at 0 ms: node >= 5x the recipe\'s calls/s (stretch 10x)', a?.vsRecipe == null ? null : `${a.vsRecipe}x at concurrency 20${a5?.vsRecipe != null ? `, ${a5.vsRecipe}x at 5` : ''}`,
    a?.vsRecipe >= 5, a?.vsRecipe >= 10 ? 'stretch met' : undefined);
  const b = r(1000, 20, 20);
  add('1,000 items at 20 ms, concurrency 20: >= 2x the recipe', b?.vsRecipe == null ? null : `${b.vsRecipe}x`, b?.vsRecipe >= 2);
  add('1,000 items at 20 ms, concurrency 20: >= 80 % of the floor', b?.ofFloor == null ? null : `${(b.ofFloor * 100).toFixed(0)} %`, b?.ofFloor >= 0.8);
  const inflight = [];
  for (const e of results.n8n ?? []) {
    if (e.contender !== 'node') continue;
    for (const run1 of e.runs) if (run1.peakInFlight != null) inflight.push({ c: e.concurrency, peak: run1.peakInFlight });
  }
  for (const e of results.scaling ?? []) for (const run1 of e.runs) if (run1.peakInFlight != null) inflight.push({ c: e.concurrency, peak: run1.peakInFlight });
  const over = inflight.filter((x) => x.peak > x.c);
  add('never more requests in flight than the concurrency option', inflight.length ? `${over.length} of ${inflight.length} node runs over (max ${Math.max(...inflight.map((x) => x.peak))} at c ${inflight.find((x) => x.peak === Math.max(...inflight.map((y) => y.peak)))?.c})` : null, over.length === 0);
  const rssN = NS.includes(10_000) ? 10_000 : NS[NS.length - 1];
  const recipeRss = results.n8n?.find((e) => e.contender === 'recipe' && e.n === rssN && e.latencyMs === 0)?.median?.peakTreeRssMb;
  const oursRss = node(rssN, 0, 20)?.peakTreeRssMb;
  add(`peak RSS at ${rssN.toLocaleString('en-US')} items (0 ms, c 20) <= the recipe's`, oursRss != null && recipeRss != null ? `${oursRss} MB vs ${recipeRss} MB` : null, oursRss <= recipeRss);
  const sc = results.scaling ?? [];
  const base = sc.find((e) => e.n === 1000)?.median?.perItemMs;
  const larger = sc.filter((e) => e.n > 1000 && e.median?.perItemMs != null);
  if (base && larger.length) {
    const worst = larger.reduce((w, e) => (Math.abs(e.median.perItemMs / base - 1) > Math.abs(w.median.perItemMs / base - 1) ? e : w));
    const dev = worst.median.perItemMs / base - 1;
    const devs = larger.map((e) => e.median.perItemMs / base - 1);
    const note = QUICK ? 'quick run: only up to 1,000 items'
      : Math.abs(dev) > 0.2 && devs.every((d) => d <= 0.2)
        ? 'outside the band downwards only: the cost per item falls with more items (the warm-up of n8n\'s HTTP code path spreads out); it never grows'
        : undefined;
    add('time per item flat (±20 %) from 1,000 to 100,000 items', `${larger.map((e) => `${e.n.toLocaleString('en-US')}: ${(100 * (e.median.perItemMs / base - 1)).toFixed(0)} %`).join(', ')} vs 1,000 (${(base * 1000).toFixed(0)} µs per item)`,
      Math.abs(dev) <= 0.2, note);
  } else add('time per item flat (±20 %) from 1,000 to 100,000 items', null, null);
  const client = results.client?.floor?.ratio;
  add('huskyvoice-core cancelCalls at concurrency 20, 20 ms: >= 90 % of the floor', client == null ? null : `${(client * 100).toFixed(1)} %`, client >= 0.9);
  const core = results.core?.sizes?.find((s) => s.items === 100_000)?.wasm?.batched;
  add('core per item <= 2 µs batched (100,000 items)', core == null ? null : `${core} µs`, core <= 2);
  return t;
}

