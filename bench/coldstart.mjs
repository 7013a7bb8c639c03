// Cold start (issue 15): from a navigation with an empty cache to a usable
// drop zone, served from this machine. Each run is a fresh browser context
// (no HTTP cache, no service worker). Prints, per run and as the median:
// - first paint: the first contentful paint, the boot landing of index.html;
// - drop zone usable: the first moment a file can be chosen or dropped:
//   the boot landing painted and www/boot.js (which keeps what is chosen
//   there for the app) running, whichever comes later;
// - app mounted: the app's own landing, once the page's wasm has started;
// - worker ready: the worker started too, so opening a file makes no request.
// Run through tools/bench-browser.sh --cold [--runs N]. Asserts nothing.
import { serve } from "../tools/static-server.mjs";
import { VIEWPORT, browserVersion, launch } from "./chromium.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || (args.includes("--runs") ? 0 : 7);
const { server, url } = await serve({ dir: "dist", port: 0, base: "/pprof-lens/" });
const browser = await launch();
const rows = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const marks = (window.__cold = {});
    const seen = () => {
      const now = performance.now();
      if (!marks.app && document.querySelector('[data-testid="drop-zone"]')) marks.app = now;
      if (!marks.worker && document.querySelector('[data-testid="status"][data-worker="ready"]')) marks.worker = now;
    };
    new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__cold.worker, null, { timeout: 60_000 });
  const r = await page.evaluate(() => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
    // The single file has no boot landing: its drop zone is the app's.
    const listening = window.pprofLensBootAt ?? window.__cold.app;
    return { paint, zone: Math.max(paint, listening), ...window.__cold };
  });
  rows.push(r);
  await context.close();
}
await browser.close();
server.close();

const ms = (v) => `${Math.round(v)} ms`;
const median = (k) => {
  const v = rows.map((r) => r[k]).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
};
console.log(`# pprof-lens cold start: ${url} from this machine, empty cache each run (Chromium ${browserVersion}, ${runs} runs)`);
console.log("| measure | median | runs | target |");
console.log("|---|---|---|---|");
for (const [k, name, target] of [["paint", "navigation → first paint", ""], ["zone", "navigation → drop zone usable", "≤ 300 ms"], ["app", "navigation → app mounted (page wasm started)", ""], ["worker", "navigation → worker ready", ""]]) {
  console.log(`| ${name} | ${ms(median(k))} | ${rows.map((r) => Math.round(r[k])).join(", ")} | ${target} |`);
}
