// The core end-to-end cases on WebKit (WebKitGTK's MiniBrowser through
// WebKitWebDriver, see webdriver.mjs): the served site loads and its worker
// starts, a CPU profile and goroutine dumps open through the file input with
// pprof's top text and exact counts, the flame graph draws, a broken file
// then a good one, and opening files makes no request at the server.
//
// WebDriver classic shows neither the console nor the page's own requests,
// so the network rule is checked at the server (it sees the page's and its
// workers' requests alike) and page errors through window.onerror set after
// load; the steps that cannot be checked here are logged as skips.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { serve } from "../../../tools/static-server.mjs";
import { logSkip } from "../engines.mjs";
import { DIST, OUTPUT, corpus } from "../harness.mjs";
import { HOSTILE_NAMES, hostileProfile } from "../hostile.mjs";
import { asToday, statesOf } from "../report.mjs";
import { Session, startDriver } from "./webdriver.mjs";

let driver, server, url, dir;
const served = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "pprof-lens-webkit-"));
  ({ server, url } = await serve({ dir: DIST, port: 0, base: "/pprof-lens/" }));
  server.on("request", (req) => served.push(`${req.method} ${req.url}`));
  driver = await startDriver();
});
after(() => {
  driver?.stop();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/// Opens the site in a fresh MiniBrowser, waits for its worker, runs
/// `fn(s)`, then checks that the page raised no error and asked only its own
/// origin for GETs.
async function withSession(fn) {
  const s = await Session.start(driver.url);
  try {
    await s.setWindow(1280, 900);
    await s.goto(url);
    await s.waitFor(() => document.querySelector('[data-testid="status"]')?.dataset.worker === "ready", { what: "the worker" });
    await s.run(() => { window.__errors = []; window.addEventListener("error", (e) => window.__errors.push(String(e.message))); });
    // The service worker caches the site once installed; wait for that so
    // its fetches are not taken for the page's.
    const sw = await s.runAsync(() => "serviceWorker" in navigator
      ? Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))])
      : false);
    if (!sw) logSkip("webkit", "no service worker in MiniBrowser: the offline cache is not exercised");
    await fn(s);
    assert.deepEqual(await s.run(() => window.__errors), [], "the page raised errors");
    const bad = served.filter((r) => !r.startsWith("GET /pprof-lens/"));
    assert.deepEqual(bad, [], "requests other than GETs of the site");
  } finally {
    await s.close();
  }
}

/// Sets the file input to a copy of `path` named "unknown" (detection must
/// not lean on the name), waits until the page settles in `expect`, and
/// checks that the server saw no request meanwhile.
async function openFile(s, path, expect = "ready", { name = "unknown", bytes } = {}) {
  const sub = mkdtempSync(join(dir, "f-"));
  const copy = join(sub, name);
  if (bytes) writeFileSync(copy, bytes);
  else copyFileSync(path, copy);
  const before = served.length;
  await s.setFile('[data-testid="file-input"]', copy);
  path = basename(path);
  const state = await s.waitFor(() => {
    const st = document.querySelector('[data-testid="status"]')?.dataset.state;
    return st !== "loading" && st !== "idle" && st;
  }, { timeout: 60_000, what: "the page to settle" });
  const err = state === expect ? "" : await s.run(() => document.querySelector('[data-testid="error"]')?.textContent);
  assert.equal(state, expect, `status after opening ${path}${err ? `: ${err}` : ""}`);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(served.slice(before), [], `opening ${path} reached the server`);
}

const text = (s, id) => s.run((t) => document.querySelector(`[data-testid="${t}"]`)?.textContent, id);

async function screenshot(s, name) {
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(join(OUTPUT, `${name}.webkit.png`), await s.screenshot());
}

/// The top table's download, read from the blob the page hands to its link:
/// WebDriver has no download event.
async function downloadTop(s) {
  logSkip("webkit", "WebDriver has no download event; the top text is read from the link's blob");
  await s.run(() => {
    const blobs = new Map();
    const create = URL.createObjectURL;
    URL.createObjectURL = (b) => { const u = create(b); blobs.set(u, b); return u; };
    window.__downloads = [];
    HTMLAnchorElement.prototype.click = function () {
      blobs.get(this.href).text().then((text) => window.__downloads.push({ name: this.download, text }));
    };
  });
  await s.click('[data-testid="download-top"]');
  return s.waitFor(() => window.__downloads[0], { what: "the download" });
}

async function selectSampleType(s, type) {
  await s.run((t) => {
    const sel = document.querySelector('[data-testid="sample-type"]');
    sel.value = t;
    sel.dispatchEvent(new Event("change", { bubbles: true }));
  }, type);
  await s.waitFor((t) => document.querySelector('[data-testid="top-header"]')?.textContent.includes(`Type: ${t}`), { what: `type ${type}` }, type);
}

function canvasInk() {
  const c = document.querySelector('[data-testid="flame-canvas"]');
  const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) ink++;
  }
  return ink / (data.length / 4);
}

test("webkit: the page loads and its worker starts", () =>
  withSession(async (s) => {
    assert.equal(await s.run(() => document.querySelector('[data-testid="status"]').dataset.state), "idle");
    assert.ok(served.some((r) => r.endsWith(".wasm")), "the app's wasm was loaded");
    logSkip("webkit", "WebDriver classic has no console: errors are caught through window.onerror after load");
    await screenshot(s, "landing");
  }));

test("webkit: a CPU profile's top text equals pprof's, the flame graph draws", () =>
  withSession(async (s) => {
    const file = "cpu_regexp_json.pb.gz";
    await openFile(s, corpus(file));
    assert.equal(await text(s, "total"), "total 5.78s");
    await s.click('[data-testid="tab-top"]');
    await selectSampleType(s, "cpu");
    const got = await downloadTop(s);
    assert.equal(got.name, "unknown.top.txt");
    assert.equal(got.text, asToday(readFileSync(corpus(`${file}.top.cpu.txt`), "utf8"), got.text));
    await screenshot(s, `${file}-top`);
    await s.click('[data-testid="tab-flame"]');
    await s.waitFor(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", { what: "the flame graph" });
    assert.ok((await s.run(canvasInk)) > 0.05, "the flame graph drew boxes");
    await screenshot(s, `${file}-flame`);
  }));

for (const file of ["goroutine_states.debug2.txt", "panic_orders.GOTRACEBACK_all.txt"]) {
  test(`webkit: ${file}: goroutine totals and states equal the raw text`, () =>
    withSession(async (s) => {
      await openFile(s, corpus(file));
      await s.click('[data-testid="tab-goroutines"]');
      await s.waitFor(() => document.querySelector('[data-testid="goroutine-total"]'), { what: "the goroutine total" });
      const want = statesOf(corpus(file));
      const total = [...want.values()].reduce((a, b) => a + b, 0);
      assert.equal(Number(await text(s, "goroutine-total")), total);
      const rows = await s.run(() => [...document.querySelectorAll('[data-testid="state-row"]')].map((r) => [r.dataset.state, Number(r.dataset.count)]));
      assert.deepEqual(new Map(rows), want);
      await screenshot(s, `${file}-goroutines`);
    }));
}

test("webkit: a broken file shows a banner, then a good file still opens", () =>
  withSession(async (s) => {
    await openFile(s, new URL("../fixtures/garbage.bin", import.meta.url).pathname, "error");
    assert.match(await text(s, "error"), /not a Go profile/);
    await openFile(s, corpus("heap_mapchurn.heap.pb.gz"));
    assert.equal(await s.run(() => document.querySelector('[data-testid="sample-type"]').value), "inuse_space");
  }));

test("webkit: names from a file are text, never HTML", () =>
  withSession(async (s) => {
    const before = served.length;
    await openFile(s, "hostile.pb", "ready", { name: '<img src=x onerror="window.__xss=4">.pb', bytes: hostileProfile(HOSTILE_NAMES, "<i>x.go</i>") });
    await s.click('[data-testid="tab-top"]');
    await s.waitFor(() => document.querySelector('[data-testid="top-row"]'), { what: "the top rows" });
    const rows = await s.run(() => [...document.querySelectorAll('[data-testid="top-row"]')].map((r) => r.textContent).join("\n"));
    for (const n of HOSTILE_NAMES) assert.ok(rows.includes(n), `${n} shown as text`);
    assert.ok((await text(s, "file-name")).includes("<img src=x"), "file name shown as text");
    await s.click('[data-testid="tab-flame"]');
    await s.waitFor(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", { what: "the flame graph" });
    // The pointer over the third row's box, as in the Chromium case.
    const r = await s.run(() => { const b = document.querySelector('[data-testid="flame-canvas"]').getBoundingClientRect(); return { x: b.x, y: b.y }; });
    await s.call("POST", "/actions", { actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions: [
      { type: "pointerMove", duration: 0, origin: "viewport", x: Math.round(r.x + 40), y: Math.round(r.y + 9 + 18 * 2) },
    ] }] });
    await s.waitFor(() => document.querySelector('[data-testid="tooltip"]'), { what: "the tooltip" });
    assert.match(await text(s, "tooltip"), /<(img|script|b)/);
    await screenshot(s, "xss-flame-tooltip");
    assert.equal(await s.run(() => window.__xss ?? null), null, "no script from the file ran");
    assert.equal(await s.run(() => document.querySelectorAll("main img, main script, main b, main i").length), 0, "no element from the file");
    assert.deepEqual(served.slice(before), [], "no request (an <img> would have fetched x)");
  }));
