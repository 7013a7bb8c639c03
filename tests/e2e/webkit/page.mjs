// What the WebKit test files share: the served site, a MiniBrowser session
// per case with the rules every case checks afterwards, and the user's steps
// (choosing files, picking a sample type, reading the top text) as WebDriver
// calls. The playwright harness (../harness.mjs) does the same for Chromium
// and Firefox.
//
// WebDriver classic shows neither the console nor the page's own requests,
// so the network rule is checked at the server (it sees the page's and its
// workers' requests alike) and page errors through window.onerror set after
// load; console errors are kept for a failed case's report. The steps that
// cannot be checked here are logged as skips. A case runs once more in a
// fresh session when WebKit itself failed (see withSession).
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "../../../tools/static-server.mjs";
import { logSkip } from "../engines.mjs";
import { DIST, OUTPUT } from "../harness.mjs";
import { Session, startDriver } from "./webdriver.mjs";

/// Serves dist/ and starts WebKitWebDriver for the test file that calls it;
/// the returned object is filled in before the first test runs.
export function webkitSite() {
  const site = { served: [], driver: null, server: null, url: null, dir: null };
  before(async () => {
    site.dir = mkdtempSync(join(tmpdir(), "pprof-lens-webkit-"));
    ({ server: site.server, url: site.url } = await serve({ dir: DIST, port: 0, base: "/pprof-lens/" }));
    site.server.on("request", (req) => site.served.push(`${req.method} ${req.url}`));
    site.driver = await startDriver();
  });
  after(() => {
    site.driver?.stop();
    site.server?.close();
    if (site.dir) rmSync(site.dir, { recursive: true, force: true });
  });
  return site;
}

/// A new MiniBrowser session. When MiniBrowser's launch hangs (it does, now
/// and then, before any page loads), the driver and its display are started
/// afresh and the launch tried again, at most three times in all; the page
/// itself is never retried.
async function startSession(site, dark) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await Session.start(site.driver.url, { dark });
    } catch (e) {
      if (attempt >= 3) throw e;
      console.log(`# webkit: MiniBrowser did not start (${e.message}); restarting WebKitWebDriver`);
      site.driver.stop();
      site.driver = await startDriver();
    }
  }
}

/// Opens the site (or, with `file`, that file from file://) in a fresh
/// MiniBrowser (in its dark mode with `dark`), waits for its worker, runs
/// `fn(s)`, then checks that the page raised no error and that nothing but
/// GETs of the site reached the server.
export async function withSession(site, fn, options = {}) {
  try {
    await sessionOnce(site, fn, options);
  } catch (e) {
    // WebKitGTK's engine fails now and then in ways that are not a finding
    // of the test, which then runs once more in a fresh session; any other
    // failure, and a second fault, fails the test:
    // - its web process crashes or hangs under MiniBrowser, and the driver
    //   drops the session ("session deleted because of page crash or hang");
    // - its JavaScriptCore traps in the page's wasm (see WASM_TRAP).
    if (!/session deleted because of page crash or hang|^the page's wasm trapped/.test(e.message)) throw e;
    // The whole message: a trap's wasm stack stays in the log when the
    // second run passes.
    console.log(`# webkit: ${e.message}\n# webkit: running the test once more in a fresh session`);
    await sessionOnce(site, fn, options);
  }
}

/// A trap in the page's wasm that WebKitGTK 2.50's JavaScriptCore raises
/// now and then, about once in 400 cases, at a different step and in a
/// different function each time (a yew diff dropping a key, the allocator
/// freeing a message's bytes). The same wasm runs the whole suite on
/// Chromium and Firefox with no second run, so a trap of our own code would
/// fail there; the page's stack peaks at 13 KB of its 1 MiB. A Rust panic
/// traps as "unreachable", which this does not match.
const WASM_TRAP = /RuntimeError: Out of bounds memory access/;

async function sessionOnce(site, fn, { file, dark = false } = {}) {
  const s = await startSession(site, dark);
  s.site = site;
  try {
    await s.setWindow(1280, 900);
    await s.goto(file ? pathToFileURL(file).href : site.url);
    await s.waitFor(() => document.querySelector('[data-testid="status"]')?.dataset.worker === "ready", { what: "the worker" });
    await s.run(() => {
      window.__errors = [];
      window.addEventListener("error", (e) => window.__errors.push(`${e.message}${e.error?.stack ? `\n${e.error.stack}` : ""}`));
      // Kept for a failure's report only: a panic's message goes to the console.
      window.__consoleErrors = [];
      const log = console.error.bind(console);
      console.error = (...a) => {
        try { window.__consoleErrors.push(a.map(String).join(" ")); } catch { window.__consoleErrors.push("(an error that does not print)"); }
        log(...a);
      };
    });
    if (!file) {
      // The service worker caches the site once installed; wait for that so
      // its fetches are not taken for the page's.
      const sw = await s.runAsync(() => "serviceWorker" in navigator
        ? Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))])
        : false);
      if (!sw) logSkip("webkit", "no service worker in MiniBrowser: the offline cache is not exercised");
    }
    let failure = null;
    await fn(s).catch((e) => { failure = e; });
    // A session that died after a passing case fails with the driver's
    // error (which withSession may run again); after a failing one, the
    // case's own error is the one to report.
    const [errors, consoleErrors] = await s.run(() => [window.__errors, window.__consoleErrors])
      .catch((e) => { if (failure) return [null, null]; throw e; });
    const trap = errors?.find((m) => WASM_TRAP.test(m));
    if (trap) {
      const then = failure ? `\nthe case then failed: ${String(failure.message ?? failure).split("\n")[0]}` : "";
      throw new Error(`the page's wasm trapped: ${trap}${then}`);
    }
    if (failure) {
      // An error the page raised is often why a step waited in vain.
      if (failure instanceof Error) {
        if (errors?.length) failure.message += `\nthe page raised errors: ${JSON.stringify(errors)}`;
        if (consoleErrors?.length) failure.message += `\nthe page's console errors: ${JSON.stringify(consoleErrors)}`;
      }
      throw failure;
    }
    assert.deepEqual(errors, [], "the page raised errors");
    const bad = site.served.filter((r) => !r.startsWith("GET /pprof-lens/"));
    assert.deepEqual(bad, [], "requests other than GETs of the site");
  } finally {
    await s.close();
  }
}

/// Waits until the status leaves loading and idle; returns its state.
const settled = (s) => s.waitFor(() => {
  const st = document.querySelector('[data-testid="status"]')?.dataset.state;
  return st !== "loading" && st !== "idle" && st;
}, { timeout: 60_000, what: "the page to settle" });

/// Checks that the page settled in `expect`, naming the error banner if not.
export async function expectSettled(s, expect = "ready", what = "") {
  const state = await settled(s);
  const err = state === expect ? "" : await text(s, "error");
  assert.equal(state, expect, `status${what ? ` after ${what}` : ""}${err ? `: ${err}` : ""}`);
}

/// Copies files into a folder of their own under the names given, so that
/// a file input sees exactly those names. `files` holds [path or bytes, name].
function stage(s, files) {
  const sub = mkdtempSync(join(s.site.dir, "f-"));
  return files.map(([src, name]) => {
    const copy = join(sub, name);
    if (Buffer.isBuffer(src)) writeFileSync(copy, src);
    else copyFileSync(src, copy);
    return copy;
  });
}

/// Chooses `files` ([path or bytes, name] pairs) on the file input
/// `testid`, waits until the page settles in `expect`, and checks that the
/// server saw no request meanwhile. WebDriver takes several files of a
/// `multiple` input as one text, a path per line. With `waitLoading`, first
/// waits for the load to start (for inputs whose page already shows a
/// settled state, such as the base of a comparison).
export async function chooseFiles(s, testid, files, { expect = "ready", waitLoading = false } = {}) {
  const paths = stage(s, files);
  const before = s.site.served.length;
  if (waitLoading) await s.run(() => { window.__loads = 0; new MutationObserver(() => { if (document.querySelector('[data-testid="status"]')?.dataset.state === "loading") window.__loads++; }).observe(document.body, { subtree: true, attributes: true, childList: true }); });
  await s.setFile(`[data-testid="${testid}"]`, paths.join("\n"));
  if (waitLoading) await s.waitFor(() => window.__loads > 0 || document.querySelector('[data-testid="status"]')?.dataset.state === "error", { timeout: 10_000, what: "the load to start" }).catch(() => {});
  const names = files.map(([, n]) => n).join(", ");
  await expectSettled(s, expect, `choosing ${names}`);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(s.site.served.slice(before), [], `choosing ${names} reached the server`);
}

/// Opens `path` through the file input under a neutral name (detection must
/// not lean on the name).
export function openFile(s, path, expect = "ready", { name = "unknown", bytes } = {}) {
  return chooseFiles(s, "file-input", [[bytes ?? path, name]], { expect }).catch((e) => {
    e.message = `${basename(path)}: ${e.message}`;
    throw e;
  });
}

export const text = (s, id) => s.run((t) => document.querySelector(`[data-testid="${t}"]`)?.textContent ?? null, id);

export async function screenshot(s, name) {
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(join(OUTPUT, `${name}.webkit.png`), await s.screenshot());
}

/// The top table's download, read from the blob the page hands to its link:
/// WebDriver has no download event. `name` is the file name the page
/// suggests; null skips that check.
export async function downloadTop(s, name = "unknown.top.txt") {
  logSkip("webkit", "WebDriver has no download event; the top text is read from the link's blob");
  await s.run(() => {
    if (window.__downloads) return;
    const blobs = new Map();
    const create = URL.createObjectURL;
    URL.createObjectURL = (b) => { const u = create(b); blobs.set(u, b); return u; };
    window.__downloads = [];
    HTMLAnchorElement.prototype.click = function () {
      const n = this.download;
      blobs.get(this.href).text().then((t) => window.__downloads.push({ name: n, text: t }));
    };
  });
  const n = await s.run(() => window.__downloads.length);
  await s.click('[data-testid="download-top"]');
  const got = await s.waitFor((i) => window.__downloads[i], { what: "the download" }, n);
  if (name !== null) assert.equal(got.name, name);
  return got.text;
}

/// Picks an option of a select as a user's choice does: sets it and fires
/// the change event.
export const select = (s, testid, value) => s.run((t, v) => {
  const sel = document.querySelector(`[data-testid="${t}"]`);
  sel.value = v;
  sel.dispatchEvent(new Event("change", { bubbles: true }));
}, testid, value);

export async function selectSampleType(s, type) {
  await select(s, "sample-type", type);
  await s.waitFor((t) => document.querySelector('[data-testid="top-header"]')?.textContent.includes(`Type: ${t}`), { what: `type ${type}` }, type);
}

export async function flameDrawn(s) {
  await s.click('[data-testid="tab-flame"]');
  await s.waitFor(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", { what: "the flame graph" });
}

/// Fraction of canvas pixels that differ from the top-left pixel (the
/// background). A canvas with no pixels (between a resize and its layout)
/// counts as no ink: 0/0 would be NaN, which WebKit's WebDriver cannot send.
function canvasInk() {
  const c = document.querySelector('[data-testid="flame-canvas"]');
  if (!c || c.width === 0 || c.height === 0) return 0;
  const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) ink++;
  }
  return ink / (data.length / 4);
}

/// What a failed ink check reports: the canvas's pixel and CSS sizes, its
/// container's, and the status line.
function flameState() {
  const c = document.querySelector('[data-testid="flame-canvas"]');
  const box = c?.closest(".flame-scroll");
  const status = document.querySelector('[data-testid="status"]');
  return {
    canvas: c && [c.width, c.height, c.style.width, c.style.height, c.dataset.drawn],
    box: box && [box.clientWidth, box.clientHeight],
    status: status && [status.dataset.state, status.textContent],
  };
}

/// Checks that the flame canvas shows boxes. Polled for a few seconds: a
/// resize after the paint (a scroll bar coming or going under load) clears
/// the canvas until the next paint.
export async function expectInk(s) {
  const end = Date.now() + 10_000;
  for (;;) {
    // WebKit's WebDriver now and then fails to read a script's result back
    // while the canvas is being resized and repainted; the next poll reads it.
    const ink = await s.run(canvasInk).catch((e) => {
      if (!/Could not parse script result/.test(e.message)) throw e;
      return 0;
    });
    if (ink > 0.05) return;
    if (Date.now() > end) {
      await screenshot(s, "failed-ink").catch(() => {});
      const state = await s.run(flameState).catch((e) => e.message);
      assert.fail(`the flame graph drew no boxes (ink ${ink}; ${JSON.stringify(state)}; screenshot failed-ink.webkit.png)`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
