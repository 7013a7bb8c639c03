// The site loads clean, opens a real profile through the file input without
// any network request, and survives a broken file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { corpus, expectState, expectUnbuilt, noWasmCompiles, openFile, screenshot, text, trapInPage, withPage } from "./harness.mjs";

test("the page loads with no errors and no foreign requests", () =>
  withPage(async (page) => {
    await expectState(page, "idle");
    assert.match(await page.title(), /pprof-lens/);
    const own = page.pprofLens.requests.map((r) => new URL(r.url).pathname);
    assert.ok(own.some((p) => p.endsWith(".wasm")), "the app's wasm was loaded");
    await screenshot(page, "landing");
  }));

test("opens a CPU profile from the corpus through the file input", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    const types = await page.$$eval('[data-testid="sample-type"] option', (os) => os.map((o) => o.value));
    assert.deepEqual(types, ["samples", "cpu"]);
    assert.equal(await text(page, "total"), "total 5.78s");
    await screenshot(page, "cpu-opened");
  }));

test("a broken file shows a banner, then a good file still opens", () =>
  withPage(async (page) => {
    const garbage = new URL("./fixtures/garbage.bin", import.meta.url).pathname;
    await openFile(page, garbage, { expect: "error" });
    const message = await text(page, "error");
    assert.match(message, /not a Go profile/);
    // The message alone: the button beside it is not part of what a test or
    // a screen reader reads as the error.
    assert.doesNotMatch(message, /Dismiss/);
    assert.equal(await page.getAttribute('[data-testid="error-dismiss"]', "aria-label"), "Dismiss this error");
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"));
    assert.equal(await page.$eval('[data-testid="sample-type"]', (s) => s.value), "inuse_space");
  }));

// www/stopped.js, with real traps of the page's engine (trapInPage).
test("a trap in the page's wasm shows a banner whose button reloads the page", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    await trapInPage(page, "unreachable");
    assert.equal(await page.$('[data-testid="page-stopped"]'), null, "a panic's trap is left to the app's own banner");
    const message = await trapInPage(page, "oob");
    await trapInPage(page, "oob");
    assert.equal((await page.$$('[data-testid="page-stopped"]')).length, 1, "one banner, however many traps");
    const shown = await text(page, "page-stopped");
    assert.ok(shown.startsWith(`pprof-lens stopped: its WebAssembly code failed (${message}). Reload the page`), shown);
    await screenshot(page, "page-stopped");
    await Promise.all([page.waitForEvent("load"), page.click('[data-testid="page-stopped-reload"]')]);
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await expectState(page, "idle");
    assert.equal(await page.$('[data-testid="page-stopped"]'), null);
  }));

test("a browser that cannot compile the page's wasm is told so", () =>
  withPage(async (page) => {
    await expectUnbuilt(page);
    await screenshot(page, "page-unbuilt");
  }, { booting: noWasmCompiles }));
