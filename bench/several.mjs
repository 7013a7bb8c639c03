// Browser benchmark of files opened together (issue 10): a pair compared,
// or goroutine dumps opened as a series, against one of them alone, in the
// same run. Run through tools/bench-browser.sh --compare / --series:
//   node bench/several.mjs compare BASE NEW [--runs N]
//   node bench/several.mjs series DUMP... [--runs N]
//   node bench/several.mjs merge DIR|PROFILE... [--runs N] [--dist DIR]
// Each run opens the page in a freshly launched headless Chromium and
// chooses the files through the file input, with `open-mode` set first, so
// the page reads them as a user's choice would. One alone and all together
// alternate, so load on the machine falls on both alike. Compare: file(s)
// chosen → status ready, then Flame tab click → first flame paint (the
// diff flame graph for the pair). Series: file(s) chosen → status ready
// and the first group row (goroutine-group alone, series-row together).
// Merge (issue 17): a fleet's profiles (a folder's *.pb.gz, in name order)
// chosen → status ready with every file merged, and how many files the
// helper worker decoded; `--dist` serves another build of the site (a
// base commit's, for before and after figures in the same run).
// Prints figures, the minimum and the median over runs; asserts nothing.
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { appWorker, browserVersion, launch, rendererPeak, VIEWPORT } from "./chromium.mjs";
import { serve } from "../tools/static-server.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const runsAt = argv.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(argv.splice(runsAt, 2)[1]) : 3;
const distAt = argv.indexOf("--dist");
const DIST = distAt >= 0 ? resolve(argv.splice(distAt, 2)[1]) : join(ROOT, "dist");
const [KIND, ...ARGS] = argv;
// A folder stands for its profiles, in name order.
const FILES = ARGS.flatMap((a) =>
  statSync(a).isDirectory() ? readdirSync(a).filter((f) => f.endsWith(".pb.gz")).sort().map((f) => join(a, f)) : [a],
);
if (!["compare", "series", "merge"].includes(KIND) || FILES.length < 2 || (KIND === "compare" && FILES.length !== 2)) {
  console.error("usage: several.mjs compare BASE NEW | series DUMP DUMP... | merge DIR|PROFILE... [--runs N] [--dist DIR]");
  process.exit(2);
}
const paths = FILES.map((f) => resolve(f));
const log = (...a) => console.error("[bench]", ...a);
const TIMEOUT = 30 * 60_000;

// Before any page script: when a file is chosen, when the status settles
// and when the first row of the view that follows is in the document.
const INIT = (rowSelector) => {
  window.__b = { chosen: null, ready: null, error: null, row: null, clicks: [] };
  document.addEventListener("change", (e) => {
    if (e.target?.type === "file") window.__b.chosen = performance.now();
  }, true);
  document.addEventListener("click", (e) => window.__b.clicks.push(e.timeStamp), true);
  const watch = () => {
    new MutationObserver(() => {
      const b = window.__b;
      if (b.chosen === null) return;
      const s = document.querySelector('[data-testid="status"]');
      if (s && b.ready === null && b.error === null) {
        if (s.dataset.state === "ready") b.ready = performance.now();
        if (s.dataset.state === "error") b.error = performance.now();
      }
      if (rowSelector && b.row === null && document.querySelector(rowSelector)) b.row = performance.now();
    }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
  };
  if (document.documentElement) watch();
  else document.addEventListener("DOMContentLoaded", watch);
};

/// Opens `files` together (or one alone) and times what the page does.
async function run(url, files) {
  const many = files.length > 1;
  const rowSelector = KIND === "series" ? (many ? '[data-testid="series-row"]' : '[data-testid="goroutine-group"]') : null;
  const browser = await launch();
  const r = { errors: [] };
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: "light" });
    await context.addInitScript(INIT, rowSelector);
    const page = await context.newPage();
    page.on("pageerror", (e) => r.errors.push(String(e).split("\n")[0]));
    page.on("crash", () => r.errors.push("renderer crashed"));
    await page.goto(url, { waitUntil: "load" });
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 60_000 });
    if (many) await page.selectOption('[data-testid="open-mode"]', KIND);
    await page.setInputFiles('[data-testid="file-input"]', files);
    await page.waitForFunction(() => window.__b.ready !== null || window.__b.error !== null || window.__crashed, null, { timeout: TIMEOUT, polling: 100 });
    const b = await page.evaluate(() => window.__b);
    if (b.error !== null) {
      r.errors.push(`status error: ${await page.textContent('[data-testid="error"]').catch(() => "?")}`);
      return r;
    }
    r.ready = b.ready - b.chosen;
    if (KIND === "compare") {
      if (many) await page.waitForSelector('[data-testid="compare-inputs"]');
      await page.click('[data-testid="tab-flame"]');
      await page.waitForSelector('[data-testid="flame-canvas"][data-drawn="true"]', { timeout: TIMEOUT });
      if (many) await page.waitForSelector('[data-testid="flame-legend"]');
      const { click, draw } = await page.evaluate(() => ({
        click: window.__b.clicks.at(-1),
        draw: performance.getEntriesByName("flame-draw")[0],
      }));
      r.flameTab = draw.startTime + draw.duration - click;
      r.done = r.ready + r.flameTab;
    } else if (KIND === "merge") {
      if (many) {
        const count = await page.getAttribute('[data-testid="merged-inputs"]', "data-count");
        if (Number(count) !== files.length) r.errors.push(`merged ${count} of ${files.length} files`);
      }
      r.done = r.ready;
      r.helped = await (await appWorker(page))?.evaluate(() => self.__pprofLensHelped ?? 0).catch(() => NaN);
    } else {
      await page.waitForSelector(rowSelector, { timeout: TIMEOUT });
      const row = await page.evaluate(() => window.__b.row - window.__b.chosen);
      r.done = Math.max(r.ready, row);
    }
    r.wasm = await (await appWorker(page))?.evaluate(() => self.__pprofLensWasmBytes).catch(() => NaN);
    r.renderer = rendererPeak();
    await context.close();
  } catch (e) {
    r.errors.push(String(e).split("\n")[0]);
  } finally {
    await browser.close().catch(() => {});
  }
  return r;
}

const { server, url } = await serve({ dir: DIST, port: 0, base: "/" });
// Alone: the new profile (compare) or the last snapshot (series).
const alone = [];
const together = [];
for (let i = 0; i < RUNS; i++) {
  for (const [what, files, out] of [["one", [paths.at(-1)], alone], ["together", paths, together]]) {
    log(`${KIND}: ${what}, run ${i + 1}/${RUNS}`);
    const r = await run(url, files);
    if (r.errors.length) log(`${what}: ${r.errors.join("; ")}`);
    out.push(r);
  }
}
server.close();

const ok = (rs) => rs.filter((r) => !r.errors.length);
const vals = (rs, k) => ok(rs).map((r) => r[k]).filter(Number.isFinite).sort((a, b) => a - b);
const min = (rs, k) => vals(rs, k)[0] ?? NaN;
const med = (rs, k) => { const v = vals(rs, k); return v.length ? v[(v.length - 1) >> 1] : NaN; };
const msf = (x) => (Number.isFinite(x) ? (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`) : "n/a");
const MB = (b) => (Number.isFinite(b) ? `${(b / 1e6).toFixed(1)} MB` : "n/a");
const both = (k, f = msf) => [`${f(min(alone, k))} / ${f(med(alone, k))}`, `${f(min(together, k))} / ${f(med(together, k))}`];
const ratio = (k) => `${(min(together, k) / min(alone, k)).toFixed(2)}x / ${(med(together, k) / med(alone, k)).toFixed(2)}x`;

const title = { compare: "a pair compared", series: `a series of ${paths.length} dumps`, merge: `${paths.length} profiles merged` }[KIND];
console.log(`# pprof-lens browser benchmark: ${title} against one alone`);
console.log(`site: ${DIST}`);
if (paths.length > 4) {
  const sizes = paths.map((p) => statSync(p).size);
  console.log(`files: ${basename(paths[0])} … ${basename(paths.at(-1))}, ${MB(sizes.reduce((a, b) => a + b, 0))} on disk, the largest ${MB(Math.max(...sizes))}`);
} else {
  for (const p of paths) console.log(`file: ${basename(p)} — ${MB(statSync(p).size)} on disk`);
}
console.log(`Chromium ${browserVersion ?? "?"} headless, ${VIEWPORT.width}x${VIEWPORT.height}; ${RUNS} runs each, alternating; figures are min / median over successful runs`);
for (const [what, rs] of [["one", alone], ["together", together]]) {
  rs.forEach((r, i) => { if (r.errors.length) console.log(`${what} run ${i + 1} failed: ${r.errors.join("; ")}`); });
}
console.log("");
const oneName = basename(paths.at(-1));
const togetherName = { compare: "the pair, compared", series: "the series", merge: "all, merged" }[KIND];
console.log(`| measure | ${oneName} alone | ${togetherName} | ratio | target |`);
console.log("|---|---|---|---|---|");
console.log(`| file(s) chosen → status ready | ${both("ready").join(" | ")} | ${ratio("ready")} | |`);
if (KIND === "compare") {
  console.log(`| Flame tab click → first flame paint | ${both("flameTab").join(" | ")} | ${ratio("flameTab")} | |`);
  console.log(`| file(s) chosen → first flame paint | ${both("done").join(" | ")} | ${ratio("done")} | ≤ 2x |`);
} else if (KIND === "merge") {
  console.log(`| files decoded by the helper worker | ${both("helped", String).join(" | ")} | | |`);
} else {
  console.log(`| file(s) chosen → first group row | ${both("done").join(" | ")} | ${ratio("done")} | ≤ 3x |`);
}
console.log(`| worker wasm memory at the end | ${both("wasm", MB).join(" | ")} | | |`);
console.log(`| renderer peak RSS (VmHWM) | ${both("renderer", MB).join(" | ")} | | |`);
console.log(`per-run (ms): one ${alone.map((r) => (r.errors.length ? "failed" : r.done.toFixed(0))).join(", ")}; together ${together.map((r) => (r.errors.length ? "failed" : r.done.toFixed(0))).join(", ")}`);
