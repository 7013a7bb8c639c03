// End-to-end harness: serves the built site (dist/) on a free 127.0.0.1 port
// under a sub-path (as GitHub Pages does), drives a Debian browser with
// playwright-core, and records every network request the page makes.
// E2E_ENGINE picks the browser: `chromium` (default, /usr/bin/chromium) or
// `firefox` (/usr/bin/firefox-esr over WebDriver BiDi, see engines.mjs).
//
// A test case is a few lines:
//   test("opens a heap profile", () => withPage(async (page) => {
//     await openFile(page, corpus("heap_mapchurn.heap.pb.gz"));
//     await expectState(page, "ready");
//     await screenshot(page, "heap");
//   }));
// withPage fails the test on console errors, on any request that is not a GET
// to the page's own origin, and (through openFile) on any request caused by
// opening the user's file.
import { after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serve } from "../../tools/static-server.mjs";
import { ENGINE, launch } from "./engines.mjs";

export { ENGINE, skipOn } from "./engines.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "../..");
export const DIST = join(ROOT, "dist");
export const CORPUS = resolve(ROOT, "../shared/corpus");
export const OUTPUT = join(HERE, "output");
const BASE = "/pprof-lens/";

export const corpus = (name) => {
  const p = join(CORPUS, name);
  assert.ok(existsSync(p), `corpus file missing: ${p} (the shared corpus must sit beside the repo)`);
  return p;
};

let shared;
async function session() {
  if (shared) return shared;
  assert.ok(existsSync(join(DIST, "index.html")), "dist/ is missing: build the site first (trunk build --release)");
  const served = [];
  const { server, url } = await serve({ dir: DIST, port: 0, base: BASE });
  server.on("request", (req) => served.push(`${req.method} ${req.url}`));
  shared = { server, url, browsers: new Map(), served };
  return shared;
}

/// The browser for a colour scheme, launched on first use with a fresh
/// temporary profile of its own. Chromium serves both schemes from one
/// browser; Firefox ESR cannot switch per context (see engines.mjs), so it
/// gets one browser per scheme.
function browserFor(s, colorScheme) {
  const key = ENGINE === "chromium" ? "" : colorScheme;
  if (!s.browsers.has(key)) s.browsers.set(key, launch(colorScheme));
  return s.browsers.get(key);
}

after(async () => {
  if (!shared) return;
  for (const b of shared.browsers.values()) await (await b).close();
  shared.server.close();
});

/// Opens the site in a fresh context and runs `fn(page, ctx)`; checks the
/// network and console rules afterwards. With `file`, opens that file:// URL
/// instead (the single-file build) and aborts every request that is not for
/// it, so the page must work as on a machine with no network and no server.
/// With `url`, opens a site served by the test itself. On the hosted site
/// it waits for the service worker to be active, so that its caching is
/// done before the test counts requests. With `booting`, `booting(context)`
/// runs before the page is opened and `fn` runs as soon as it has loaded,
/// not once its worker runs (the cases of the page before its wasm starts).
export async function withPage(fn, { viewport = { width: 1280, height: 800 }, colorScheme = "light", file, url, booting, deviceScaleFactor = 1 } = {}) {
  const s = await session();
  const browser = await browserFor(s, colorScheme);
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true, deviceScaleFactor });
  const page = await context.newPage();
  const target = file ? pathToFileURL(file).href : url ?? s.url;
  if (file) await context.route((u) => u.href !== target, (route) => route.abort());
  const requests = [];
  const consoleErrors = [];
  const record = (req) => requests.push({ url: req.url(), method: req.method() });
  context.on("request", record);
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.pprofLens = { requests, consoleErrors, origin: new URL(s.url).origin };
  try {
    if (booting) {
      await booting(context);
      await page.goto(target, { waitUntil: "commit" });
      await fn(page, context);
    } else {
      await page.goto(target, { waitUntil: "load" });
      // The page is up once its worker runs: from then on opening a file
      // must not cause a single request.
      await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
      if (!file) await serviceWorkerInControl(page);
      await fn(page, context);
    }
    const own = (u) => (file ? u === target : u.startsWith(new URL(target).origin + "/"));
    const foreign = requests.filter((r) => !own(r.url) && !r.url.startsWith("blob:") && !r.url.startsWith("data:"));
    assert.deepEqual(foreign, [], "the page made requests to other origins");
    const nonGet = requests.filter((r) => r.method !== "GET");
    assert.deepEqual(nonGet, [], "the page made non-GET requests");
    assert.deepEqual(consoleErrors, [], "the page logged errors");
  } finally {
    await context.close();
  }
}

/// Waits until the service worker has cached the site and controls the page.
export async function serviceWorkerInControl(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
}

/// Requests seen so far, from the browser and at the server, for before/after comparisons.
function snapshot(page) {
  return { browser: page.pprofLens.requests.length, server: shared.served.length };
}

/// Opens a file through the page's file input, under a neutral name so that
/// detection can never lean on the file name, waits until the page settles,
/// and checks that opening it made no request at all.
export async function openFile(page, path, { name = "unknown", expect = "ready" } = {}) {
  // The page starts a helper worker beside its worker, which fetches the
  // same wasm: that request belongs to the page's start, not to the file.
  await page.waitForFunction(() => window.__pprofLensHelper !== "starting", null, { timeout: 30_000 });
  const before = snapshot(page);
  await page.setInputFiles('[data-testid="file-input"]', {
    name, mimeType: "application/octet-stream", buffer: readFileSync(path),
  });
  await waitSettled(page, expect);
  await page.waitForTimeout(100);
  const after = snapshot(page);
  // The browser checks the service worker's script for a new deployment on
  // its own schedule (a GET of sw.js, never carrying data); anything else
  // while a file opens is a request the file caused.
  const updateCheck = (u) => /\/sw\.js$/.test(u.url ?? u.split(" ")[1] ?? "");
  assert.deepEqual(page.pprofLens.requests.slice(before.browser).filter((r) => !updateCheck(r)), [], `opening ${basename(path)} made requests`);
  assert.deepEqual(shared.served.slice(before.server).filter((r) => !(r.startsWith("GET ") && updateCheck(r))), [], `opening ${basename(path)} reached the server`);
}

/// Waits for the status element to leave "loading" and checks its state.
export async function waitSettled(page, expect = "ready", timeout = 60_000) {
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="status"]');
    return s && s.dataset.state !== "loading" && s.dataset.state !== "idle";
  }, null, { timeout });
  await expectState(page, expect);
}

export async function expectState(page, state) {
  const got = await page.getAttribute('[data-testid="status"]', "data-state");
  if (got !== state) {
    const err = await page.textContent('[data-testid="error"]').catch(() => null);
    assert.equal(got, state, `status is ${got}${err ? `: ${err}` : ""}`);
  }
}

/// Makes the page's engine trap for real, outside the app's code: a tiny
/// wasm module, called from a timer so that nothing catches the trap, loads
/// out of bounds (`kind` "oob") or reaches `unreachable` (how a Rust panic
/// traps). Returns the engine's message, and takes that uncaught error out
/// of what withPage fails a case on: it was made on purpose.
export async function trapInPage(page, kind) {
  const message = await page.evaluate(async (k) => {
    // (func (i32.load (i32.const -1)) drop) or (func unreachable).
    const body = k === "oob" ? [0x00, 0x41, 0x7f, 0x28, 0x02, 0x00, 0x1a, 0x0b] : [0x00, 0x00, 0x0b];
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type 0: [] -> []
      0x03, 0x02, 0x01, 0x00, // one function of type 0
      0x05, 0x03, 0x01, 0x00, 0x01, // one page of memory
      0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, // export "run"
      0x0a, body.length + 2, 0x01, body.length, ...body,
    ]);
    const { instance } = await WebAssembly.instantiate(bytes);
    return new Promise((resolve) => {
      addEventListener("error", (e) => resolve(String(e.error?.message)), { once: true });
      setTimeout(() => instance.exports.run());
    });
  }, kind);
  const errors = page.pprofLens.consoleErrors;
  for (let i = 0; i < 100 && !errors.some((e) => e.includes(message)); i++) await page.waitForTimeout(20);
  assert.ok(errors.some((e) => e.includes(message)), `the trap (${message}) was reported as a page error`);
  for (let i = errors.length - 1; i >= 0; i--) if (errors[i].includes(message)) errors.splice(i, 1);
  return message;
}

/// A `booting` for withPage: the page's engine compiles no wasm, as a
/// browser older than the features the code uses would fail it.
export const UNBUILT = "an engine without the WebAssembly features the code uses (simulated)";
export const noWasmCompiles = (context) => context.addInitScript((message) => {
  const fail = () => Promise.reject(new WebAssembly.CompileError(message));
  WebAssembly.instantiate = fail;
  WebAssembly.instantiateStreaming = fail;
  WebAssembly.compile = fail;
  WebAssembly.compileStreaming = fail;
}, UNBUILT);

/// Waits for www/stopped.js's banner for wasm that did not compile, checks
/// it and the boot landing's status and controls, and takes its page error
/// off the page's list of errors.
export async function expectUnbuilt(page) {
  await page.waitForSelector('[data-testid="page-stopped"]', { timeout: 30_000 });
  assert.equal(await text(page, "page-stopped"),
    `pprof-lens cannot run in this browser: its WebAssembly code did not load (${UNBUILT}). Open it in a current Chrome, Firefox or Safari.`);
  assert.equal(await page.$('[data-testid="page-stopped-reload"]'), null, "reloading cannot help");
  if (await page.$('[data-testid="boot"]')) {
    assert.equal(await text(page, "boot-status"), "cannot run in this browser");
    assert.ok(await page.isDisabled('[data-testid="boot-file-input"]'), "the landing takes no file");
    assert.ok(await page.isDisabled("[data-boot-example]"), "nor an example");
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["goroutine 1 [running]:\n"], "dropped.txt"));
      document.querySelector('[data-testid="boot"] .landing').dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    assert.equal(await text(page, "boot-status"), "cannot run in this browser", "nor a dropped file");
  }
  const errors = page.pprofLens.consoleErrors;
  for (let i = 0; i < 100 && !errors.some((e) => e.includes(UNBUILT)); i++) await page.waitForTimeout(20);
  assert.ok(errors.some((e) => e.includes(UNBUILT)), "the failed compile was reported as a page error");
  for (let i = errors.length - 1; i >= 0; i--) if (errors[i].includes(UNBUILT)) errors.splice(i, 1);
}

/// Saves a PNG under tests/e2e/output/ and returns its path.
export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  const path = join(OUTPUT, `${name}.${ENGINE}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

export const text = (page, testid) => page.textContent(`[data-testid="${testid}"]`);
