// The view in the URL hash: a zoomed, filtered, label-focused view comes
// back after a reload and the same file chosen again; Back and Forward
// step through zooms and tabs; the hash never names a function the user
// did not type; a hash that does not fit leaves the page working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, corpus, openFile, screenshot, serviceWorkerInControl, text, withPage } from "./harness.mjs";
import { downloadTop, selectSampleType } from "./report.mjs";

const FILE = "cpu_regexp_json.pb.gz";
const drawn = (page) =>
  page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
const crumbs = (page) => page.$$eval('[data-testid="flame-breadcrumb"] .crumb', (cs) => cs.map((c) => c.textContent));
const hash = (page) => page.evaluate(() => location.hash);
const selectedTab = (page) => page.$eval('[role="tab"][aria-selected="true"]', (t) => t.dataset.testid);

/// Waits until `read()` gives `want` (deep-equal), for up to 15 s.
async function until(page, read, want, what) {
  let got;
  for (const end = Date.now() + 15000; Date.now() < end; await page.waitForTimeout(100)) {
    got = await read();
    try { assert.deepEqual(got, want); return; } catch { /* not yet */ }
  }
  assert.deepEqual(got, want, what);
}

/// Clicks the leftmost box of flame row `row` and waits for the zoom.
async function zoomRow(page, row) {
  await drawn(page);
  const bb = await (await page.$('[data-testid="flame-canvas"]')).boundingBox();
  await page.mouse.click(bb.x + 4, bb.y + 9 + 18 * row);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="flame-breadcrumb"] .crumb').length === n, row + 1);
}

/// Types `value` key by key, as a user does: Firefox fires `change` on
/// Enter only for a value typed, not for one `fill` set.
async function setInput(page, testid, value) {
  const input = page.locator(`[data-testid="${testid}"]`);
  await input.fill("");
  await input.pressSequentially(value);
  await input.press("Enter");
}

/// The hash as text: what someone reading the link would see.
const decoded = (h) => decodeURIComponent(h.replace(/\+/g, " "));

test("a reload with the same file restores a zoomed, filtered, label-focused view", () =>
  withPage(async (page) => {
    await openFile(page, corpus(FILE));
    await page.waitForSelector('[data-testid="top-row"]');
    const names = await page.$$eval('[data-testid="top-row"] .name', (ns) => ns.map((n) => n.textContent));
    assert.ok(names.length > 5);

    await selectSampleType(page, "samples");
    const focus = "regexp\\.\\(\\*Regexp\\)";
    await setInput(page, "focus", focus);
    await setInput(page, "tagfocus", "phase=match");
    await page.click('[data-testid="sort-cum"]');
    await page.waitForFunction(() => /sort=cum/.test(location.hash) && /tf=/.test(location.hash) && /[#&]f=/.test(location.hash));
    const top = await downloadTop(page);
    assert.match(top, /Type: samples/);
    assert.match(top, /focus=regexp/);
    assert.match(top, /tagfocus=phase=match/);

    await page.click('[data-testid="tab-flame"]');
    await zoomRow(page, 1);
    await zoomRow(page, 2);
    const zoomed = await crumbs(page);
    await page.waitForFunction(() => /z=\d+\.\d+/.test(location.hash));
    const h = await hash(page);
    // Only what the user typed: no function name shown on the page.
    for (const n of [...names, ...zoomed.slice(1)]) {
      assert.ok(!decoded(h).includes(n), `${n} in ${h}`);
    }
    assert.ok(decoded(h).includes(`f=${focus}&`), h);
    await screenshot(page, "url-before-reload");

    await page.reload({ waitUntil: "load" });
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    assert.equal(await hash(page), h, "the reload keeps the hash");
    await openFile(page, corpus(FILE));
    await until(page, () => selectedTab(page), "tab-flame", "the flame tab is back");
    await drawn(page);
    await until(page, () => crumbs(page), zoomed, "the zoom is back");
    await screenshot(page, "url-after-reload");
    assert.equal(await hash(page), h, "the restored view writes the same hash");
    await page.click('[data-testid="tab-top"]');
    assert.equal(await page.inputValue('[data-testid="focus"]'), focus);
    assert.equal(await page.inputValue('[data-testid="tagfocus"]'), "phase=match");
    assert.equal(await page.$eval('[data-testid="sample-type"]', (s) => s.value), "samples");
    assert.match(await page.getAttribute('[data-testid="sort-cum"]', "class"), /sorted/);
    assert.equal(await downloadTop(page), top);
  }));

test("Back and Forward step through zooms and tabs", () =>
  withPage(async (page) => {
    await openFile(page, corpus(FILE));
    await page.click('[data-testid="tab-flame"]');
    await drawn(page);
    const root = await crumbs(page);
    await zoomRow(page, 1);
    const one = await crumbs(page);
    await zoomRow(page, 2);
    const two = await crumbs(page);
    await page.click('[data-testid="tab-top"]');
    await page.waitForFunction(() => /view=top/.test(location.hash));

    const at = async (tab, path, what) => {
      await until(page, () => selectedTab(page), tab, `${what}: tab`);
      if (tab === "tab-flame") {
        await drawn(page);
        await until(page, () => crumbs(page), path, `${what}: zoom`);
      }
    };
    await page.goBack();
    await at("tab-flame", two, "back to the second zoom");
    await page.goBack();
    await at("tab-flame", one, "back to the first zoom");
    await page.goBack();
    await at("tab-flame", root, "back to the whole graph");
    await page.goForward();
    await at("tab-flame", one, "forward to the first zoom");
    await page.goForward();
    await at("tab-flame", two, "forward to the second zoom");
    await page.goForward();
    await at("tab-top", null, "forward to the top table");
    // Leaving Top for the flame graph again shows the last zoom.
    await page.click('[data-testid="tab-flame"]');
    await at("tab-flame", two, "the zoom is kept across tabs");
  }));

/// An init script that, once `window.__slowWorker` is set, delays each
/// message from a worker to the page by `ms` (in order), as a worker busy
/// with a large profile answers late.
const slowWorker = (ms) => (context) => context.addInitScript((ms) => {
  const Real = window.Worker;
  window.Worker = class extends Real {
    set onmessage(handler) {
      super.onmessage = handler && ((ev) => setTimeout(() => handler(ev), window.__slowWorker ? ms : 0));
    }
    get onmessage() {
      return super.onmessage;
    }
  };
}, ms);

test("Escape right after a zoom goes up, while the URL's own lookup of that zoom is unanswered", () =>
  withPage(async (page) => {
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await serviceWorkerInControl(page);
    await openFile(page, corpus(FILE));
    await page.click('[data-testid="tab-flame"]');
    await drawn(page);
    await zoomRow(page, 1);
    const one = await crumbs(page);
    await page.waitForFunction(() => /[#&]z=/.test(location.hash));
    const atOne = await hash(page);
    await page.evaluate(() => { window.__slowWorker = true; });
    await zoomRow(page, 2);
    // The URL now names the second zoom, and asks the worker where it is;
    // the answer takes 400 ms. Escape before it comes.
    await page.waitForFunction((h) => location.hash !== h, atOne);
    await page.keyboard.press("Escape");
    await until(page, () => crumbs(page), one, "Escape went up one level");
    // Every answer in, the late one included: the view stays where Escape
    // took it, and so does the URL.
    await page.waitForTimeout(2000);
    assert.deepEqual(await crumbs(page), one, "the late answer did not undo Escape");
    assert.equal(await hash(page), atOne);
  }, { booting: slowWorker(400) }));

test("a hash that does not fit shows the page, the rest of it applied, and a note", () =>
  withPage(async (page) => {
    const url = page.url().split("#")[0];
    await page.goto(`${url}#view=flame&z=9.9.9.9&si=bogus&g=bytes&f=regexp&junk=1&sort=%zz`, { waitUntil: "load" });
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await openFile(page, corpus(FILE));
    await until(page, () => selectedTab(page), "tab-flame", "the view asked for");
    await drawn(page);
    await page.waitForSelector('[data-testid="url-note"]');
    await until(page, async () => /zoom/.test(await text(page, "url-note")), true, "the zoom is noted");
    const note = await text(page, "url-note");
    assert.match(note, /bogus/);
    assert.match(note, /g, sort/);
    assert.equal((await crumbs(page)).length, 1, "the whole graph");
    await screenshot(page, "url-bad-hash");
    await page.click('[data-testid="tab-top"]');
    assert.equal(await page.inputValue('[data-testid="focus"]'), "regexp");
    assert.equal(await page.$eval('[data-testid="sample-type"]', (s) => s.value), "cpu");
    // The user's next step writes the view as it is, the bad keys gone.
    await page.waitForFunction(() => /view=top/.test(location.hash) && !/bogus|junk|z=9/.test(location.hash));
  }));

let dir;
let file;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "pprof-lens-url-"));
  file = join(dir, "pprof-lens.html");
  copyFileSync(join(DIST, "pprof-lens.html"), file);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the single file from file:// keeps the view in its hash, with no request", () =>
  withPage(async (page) => {
    await openFile(page, corpus(FILE));
    await page.click('[data-testid="tab-flame"]');
    await zoomRow(page, 1);
    const zoomed = await crumbs(page);
    await page.waitForFunction(() => /z=\d/.test(location.hash));
    const h = await hash(page);
    assert.equal(page.url(), pathToFileURL(file).href + h);
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await openFile(page, corpus(FILE));
    await until(page, () => selectedTab(page), "tab-flame", "the flame tab is back");
    await drawn(page);
    await until(page, () => crumbs(page), zoomed, "the zoom is back");
    await page.goBack();
    await until(page, () => crumbs(page), [zoomed[0]], "back to the whole graph");
  }, { file }));

/// The `i`th flame view on the page (a sandwich has two): its canvas drawn,
/// its breadcrumb, and a click on the leftmost box of row `row` of a graph
/// drawn downward.
const view = (page, i) => ({
  drawn: () => page.waitForFunction((i) => document.querySelectorAll('[data-testid="flame-canvas"]')[i]?.dataset.drawn === "true", i, { timeout: 30_000 }),
  crumbs: () => page.evaluate((i) => {
    const c = document.querySelectorAll('[data-testid="flame-canvas"]')[i];
    return [...(c?.closest("section").querySelectorAll('[data-testid="flame-breadcrumb"] .crumb') ?? [])].map((x) => x.textContent);
  }, i),
  async zoom(row) {
    await this.drawn();
    const before = (await this.crumbs()).length;
    const canvas = page.locator('[data-testid="flame-canvas"]').nth(i);
    await canvas.scrollIntoViewIfNeeded();
    const bb = await canvas.boundingBox();
    await page.mouse.click(bb.x + 4, bb.y + 9 + 18 * row);
    await until(page, async () => (await this.crumbs()).length > before, true, `view ${i} zoomed`);
  },
});

test("bottom-up and sandwich zooms come back after a reload; another file clears them", () =>
  withPage(async (page) => {
    await openFile(page, corpus(FILE));
    await page.click('[data-testid="tab-bottom-up"]');
    const up = view(page, 0);
    await up.zoom(1);
    const upZoom = await up.crumbs();
    await page.waitForFunction(() => /zb=\d/.test(location.hash) && !/[#&]z=/.test(location.hash));

    await page.click('[data-testid="tab-sandwich"]');
    await setInput(page, "sandwich-function", "regexp.compile");
    const callees = view(page, 1);
    await callees.zoom(1);
    const calleesZoom = await callees.crumbs();
    await page.waitForFunction(() => /ze=\d/.test(location.hash) && /sw=regexp.compile/.test(location.hash));
    const h = await hash(page);

    await page.reload({ waitUntil: "load" });
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await openFile(page, corpus(FILE));
    await until(page, () => selectedTab(page), "tab-sandwich", "the sandwich is back");
    await callees.drawn();
    await until(page, () => callees.crumbs(), calleesZoom, "the callees' zoom is back");
    assert.equal((await view(page, 0).crumbs()).length, 1, "the callers are whole");
    assert.equal(await hash(page), h, "the restored view writes the same hash");
    await page.click('[data-testid="tab-bottom-up"]');
    await up.drawn();
    await until(page, () => up.crumbs(), upZoom, "the bottom-up zoom is back");

    // Another function's sandwich names other nodes: its zooms start whole.
    await page.click('[data-testid="tab-sandwich"]');
    await setInput(page, "sandwich-function", "regexp.MustCompile");
    await page.waitForFunction(() => /sw=regexp.MustCompile/.test(location.hash) && !/ze=/.test(location.hash));

    // Another file: the hash left by this one is rewritten, as it would
    // bring this view back on a reload of that one.
    await page.click('[data-testid="tab-bottom-up"]');
    await page.waitForFunction(() => /view=bottom-up/.test(location.hash) && /zb=/.test(location.hash));
    await page.click('[data-testid="tab-sandwich"]');
    await openFile(page, corpus("heap_mapchurn.allocs.pb.gz"));
    // The tab and the sandwich function carry over to it; the zooms,
    // which name nodes of this file's trees, do not.
    await page.waitForFunction(() => !/[#&]z[bce]?=/.test(location.hash));
    assert.equal(await hash(page), "#view=sandwich&sw=regexp.MustCompile");
  }));
