// The core end-to-end cases on WebKit (WebKitGTK's MiniBrowser through
// WebKitWebDriver, see webdriver.mjs and page.mjs): the served site loads and
// its worker starts, every kind of corpus file opens through the file input
// with pprof's top text and exact counts, the flame graph draws, a broken
// file then a good one, hostile names stay text, and opening files makes no
// request at the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { logSkip } from "../engines.mjs";
import { CORPUS, corpus } from "../harness.mjs";
import { HOSTILE_NAMES, hostileProfile } from "../hostile.mjs";
import { asToday, assertFlameFits, flameFit, oracleTypes, statesOf } from "../report.mjs";
import { downloadTop, expectInk, flameDrawn, openFile, screenshot, selectSampleType, text, webkitSite, withSession as within } from "./page.mjs";

const site = webkitSite();
const served = site.served;
const withSession = (fn, opts) => within(site, fn, opts);

test("webkit: the page loads and its worker starts", () =>
  withSession(async (s) => {
    assert.equal(await s.run(() => document.querySelector('[data-testid="status"]').dataset.state), "idle");
    assert.ok(served.some((r) => r.endsWith(".wasm")), "the app's wasm was loaded");
    logSkip("webkit", "WebDriver classic has no console: errors are caught through window.onerror after load");
    await screenshot(s, "landing");
  }));

// The Go 1.19 corpus, then the Go 1.27 one (paths relative to CORPUS), as in
// ../app.test.mjs: pprof's default sample type and one other.
const protobufs = [
  ...readdirSync(CORPUS).filter((f) => f.endsWith(".pb.gz")).sort(),
  ...readdirSync(join(CORPUS, "go1.27")).filter((f) => f.endsWith(".pb.gz")).sort().map((f) => `go1.27/${f}`),
];

for (const file of protobufs) {
  test(`webkit: ${file}: top text equals go tool pprof, flame graph draws`, () =>
    withSession(async (s) => {
      await openFile(s, corpus(file));
      if (file === "cpu_regexp_json.pb.gz") assert.equal(await text(s, "total"), "total 5.78s");
      await s.click('[data-testid="tab-top"]');
      const types = oracleTypes(file);
      assert.ok(types.length > 0, "every corpus profile has oracles");
      for (const t of [...new Set([types[types.length - 1], types[0]])]) {
        await selectSampleType(s, t);
        const got = await downloadTop(s);
        const want = readFileSync(corpus(`${file}.top.${t}.txt`), "utf8");
        assert.equal(got, file.startsWith("go1.27/") ? want : asToday(want, got), `downloaded top text for ${t}`);
      }
      await screenshot(s, `${file.replace("/", "-")}-top`);
      await flameDrawn(s);
      await screenshot(s, `${file.replace("/", "-")}-flame`);
      await expectInk(s);
      assertFlameFits(await s.run(flameFit));
    }));
}

test("webkit: goroutine_states.debug1.txt: the grouped dump's total", () =>
  withSession(async (s) => {
    await openFile(s, corpus("goroutine_states.debug1.txt"));
    await s.click('[data-testid="tab-goroutines"]');
    const first = readFileSync(corpus("goroutine_states.debug1.txt"), "utf8").split("\n")[0];
    assert.equal(Number(await text(s, "goroutine-total")), Number(/total (\d+)/.exec(first)[1]));
  }));

// Legacy text profiles (debug=1): each sample type's total equals pprof's
// for the protobuf of the same process, as in ../app.test.mjs.
const legacy = [
  ["heap_mapchurn.heap.debug1.txt", "heap_mapchurn.heap.pb.gz", ["inuse_space", "alloc_objects"]],
  ["mutex_block.mutex.debug1.txt", "mutex_block.mutex.pb.gz", ["delay", "contentions"]],
  ["mutex_block.block.debug1.txt", "mutex_block.block.pb.gz", ["delay", "contentions"]],
  ["threadcreate_syscalls.debug1.txt", "threadcreate_syscalls.pb.gz", ["threadcreate"]],
];
test("webkit: legacy text profiles open with pprof's totals", () =>
  withSession(async (s) => {
    for (const [file, twin, types] of legacy) {
      await openFile(s, corpus(file));
      await s.click('[data-testid="tab-top"]');
      for (const t of types) {
        await selectSampleType(s, t);
        const want = /of (\S+) total/.exec(readFileSync(corpus(`${twin}.top.${t}.txt`), "utf8"))[1];
        assert.match(await text(s, "top-header"), new RegExp(`of ${want.replace(/[.]/g, "\\.")} total`), `${file} ${t} total`);
      }
    }
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
      const groups = await s.run(() => [...document.querySelectorAll('[data-testid="goroutine-group"]')].map((g) => Number(g.dataset.count)));
      assert.equal(groups.reduce((a, b) => a + b, 0), total, "groups add up to the total");
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
    await flameDrawn(s);
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

/// The relative luminance of the page's background colour (0 black, 1 white).
const backgroundLuminance = () => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number)
    .map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

test("webkit: every tab in the dark theme", () =>
  withSession(async (s) => {
    assert.equal(await s.run(() => matchMedia("(prefers-color-scheme: dark)").matches), true, "MiniBrowser's dark mode");
    assert.ok(await s.run(backgroundLuminance) < 0.1, "a dark page");
    await screenshot(s, "landing-dark");
    await openFile(s, corpus("cpu_regexp_json.pb.gz"));
    await s.click('[data-testid="tab-top"]');
    await s.waitFor(() => document.querySelector('[data-testid="top-row"]'), { what: "the top rows" });
    await screenshot(s, "top-dark");
    await flameDrawn(s);
    await expectInk(s);
    await screenshot(s, "flame-dark");
    await s.click('[data-testid="tab-top"]');
    await s.waitFor(() => document.querySelector('[data-testid="row-sandwich"]'), { what: "the rows' sandwich action" });
    // WebKitGTK's WebDriver calls a button inside the table's own scrolling
    // box "not interactable" though it is on screen (its box and
    // visibility say so), so the click is the DOM's.
    await s.run(() => document.querySelector('[data-testid="row-sandwich"]').click());
    await s.waitFor(() => document.querySelector('[data-testid="sandwich-row"]'), { what: "the sandwich rows" });
    await screenshot(s, "sandwich-dark");
    await s.click('[data-testid="tab-bottom-up"]');
    await s.waitFor(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", { what: "the bottom-up graph" });
    await expectInk(s);
    await screenshot(s, "bottom-up-dark");
    await openFile(s, corpus("goroutine_states.debug2.txt"));
    await s.click('[data-testid="tab-goroutines"]');
    await s.waitFor(() => document.querySelector('[data-testid="goroutine-group"]'), { what: "the goroutine groups" });
    await screenshot(s, "goroutines-dark");
  }, { dark: true }));
