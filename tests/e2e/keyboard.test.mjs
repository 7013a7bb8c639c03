// Keyboard only, after the file is chosen: Tab reaches the flame canvas,
// the arrows walk its focus box down to a known function (announced in the
// `flame-focus` line), Enter zooms (the breadcrumb grows), Backspace goes
// up a level, `n` steps to a search match, digits switch tabs, `?` shows
// the shortcuts panel, and `s` opens the focused function's sandwich.
// mutex_block.mutex.pb.gz's heaviest path is main.main.func1 ->
// main.(*Bank).transfer (955.80ms, 77.56%, as `go tool pprof -top -cum`
// prints it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { corpus, openFile, screenshot, withPage } from "./harness.mjs";

const focusLine = (page) => page.textContent('[data-testid="flame-focus"]');
const crumbs = (page) => page.$$eval('[data-testid="flame-breadcrumb"] .crumb', (cs) => cs.map((c) => c.textContent));
const active = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
const selectedTab = (page) => page.getAttribute('[role="tab"][aria-selected="true"]', "data-testid");

/// Presses Tab until the flame canvas has the focus.
async function tabToCanvas(page) {
  for (let i = 0; i < 80; i++) {
    if ((await active(page)) === "flame-canvas") return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached the flame canvas (focus on ${await active(page)})`);
}

/// Waits for the focus line to start with `name`.
async function announced(page, name) {
  await page.waitForFunction((n) => document.querySelector('[data-testid="flame-focus"]')?.textContent.startsWith(n + ":"), name, { timeout: 10_000 })
    .catch(async () => assert.fail(`announced "${await focusLine(page)}", expected ${name}`));
}

async function waitFor(page, fn, arg, what) {
  await page.waitForFunction(fn, arg, { timeout: 10_000 }).catch(() => assert.fail(what));
}

for (const colorScheme of ["light", "dark"]) {
  test(`the flame graph, tabs, shortcuts and sandwich by keyboard alone (${colorScheme})`, () => withPage(async (page) => {
    await openFile(page, corpus("mutex_block.mutex.pb.gz"));
    await page.focus("body");
    await page.keyboard.press("2");
    assert.equal(await selectedTab(page), "tab-flame", "2 opens the second tab");
    await page.waitForSelector('[data-testid="flame-canvas"][data-drawn="true"]');

    await tabToCanvas(page);
    const ring = await page.$eval('[data-testid="flame-canvas"]', (c) => getComputedStyle(c).outlineStyle);
    assert.notEqual(ring, "none", "the focused canvas shows a focus ring");
    await announced(page, "root");
    await page.keyboard.press("ArrowDown");
    await announced(page, "main.main.func1");
    await page.keyboard.press("ArrowDown");
    await announced(page, "main.(*Bank).transfer");
    assert.match(await focusLine(page), /total 955\.80ms \(77\.56%\)/);
    await page.keyboard.press("ArrowUp");
    await announced(page, "main.main.func1");
    await page.keyboard.press("ArrowDown");
    await announced(page, "main.(*Bank).transfer");
    await screenshot(page, `keyboard-focus-box-${colorScheme}`);

    await page.keyboard.press("Enter");
    await waitFor(page, () => document.querySelectorAll('[data-testid="flame-breadcrumb"] .crumb').length === 3, null, "Enter zooms");
    assert.deepEqual(await crumbs(page), ["root", "main.main.func1", "main.(*Bank).transfer"]);
    assert.equal(await active(page), "flame-canvas", "the canvas keeps the focus");
    await page.keyboard.press("Backspace");
    await waitFor(page, () => document.querySelectorAll('[data-testid="flame-breadcrumb"] .crumb').length === 2, null, "Backspace goes up one level");
    assert.deepEqual(await crumbs(page), ["root", "main.main.func1"]);
    await page.keyboard.press("Backspace");
    await waitFor(page, () => document.querySelectorAll('[data-testid="flame-breadcrumb"] .crumb').length === 1, null, "Backspace goes up to the root");
    await announced(page, "main.(*Bank).transfer");

    // A search, then n steps the focus box to its first match.
    await page.keyboard.press("/");
    assert.equal(await active(page), "flame-search", "/ focuses the search box");
    await page.keyboard.type("RUnlock");
    await page.waitForSelector('[data-testid="flame-search-info"]');
    await tabToCanvas(page);
    await page.keyboard.press("n");
    await announced(page, "sync.(*RWMutex).RUnlock");

    await page.keyboard.press("1");
    assert.equal(await selectedTab(page), "tab-top", "1 opens the first tab");
    await page.keyboard.press("?");
    await page.waitForSelector('[data-testid="shortcuts"]');
    const keys = await page.$$eval('[data-testid="shortcuts"] kbd', (ks) => ks.map((k) => k.textContent));
    for (const k of ["?", "/", "Enter", "n, N", "s"]) assert.ok(keys.includes(k), `the panel lists ${k}: ${keys}`);
    await screenshot(page, `keyboard-shortcuts-${colorScheme}`);
    await page.keyboard.press("?");
    await waitFor(page, () => !document.querySelector('[data-testid="shortcuts"]'), null, "? hides the panel");

    await page.keyboard.press("2");
    await page.waitForSelector('[data-testid="flame-canvas"][data-drawn="true"]');
    await tabToCanvas(page);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await announced(page, "main.(*Bank).transfer");
    await page.keyboard.press("s");
    await waitFor(page, () => document.querySelector('[data-testid="sandwich-self"]')?.dataset.name === "main.(*Bank).transfer", null, "s opens the sandwich");
    assert.equal(await selectedTab(page), "tab-sandwich");
    assert.equal(await page.inputValue('[data-testid="sandwich-function"]'), "main.(*Bank).transfer");
  }, { colorScheme }));
}
