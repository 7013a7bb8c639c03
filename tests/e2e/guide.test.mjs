// The reading guide, built in, as a new user meets it with the guide's own
// examples (corpus/seed/): the dominant-group hint of the debug=1 dump, the
// top table's column explanations and the flame graph's legend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { corpus, openFile, screenshot, withPage } from "./harness.mjs";

test("seed debug=1: the dominant group names colly's function and its share", () =>
  withPage(async (page) => {
    const path = corpus("seed/seed-goroutine.debug1.txt");
    // The share is read from the raw text: the first record's count over the header's total.
    const raw = readFileSync(path, "utf8");
    const total = Number(/^goroutine profile: total (\d+)$/m.exec(raw)[1]);
    const top = Number(/^(\d+) @/m.exec(raw)[1]);
    const share = `${((top * 100) / total).toFixed(2)}%`;
    assert.equal(share, "99.98%");
    await openFile(page, path);
    const hint = page.locator('[data-testid="hint"][data-kind="dominant-group"]');
    await hint.waitFor();
    const t = await hint.textContent();
    assert.ok(t.includes("(*httpBackend).Do") && t.includes("colly"), t);
    assert.ok(t.includes(share) && t.includes(String(top)) && t.includes(String(total)), t);
    assert.ok(t.includes("If this count grows between dumps, it is a leak"), t);
    await screenshot(page, "guide-seed-debug1");
  }));

test("seed debug=2: the one goroutine serving the dump opens", () =>
  withPage(async (page) => {
    await openFile(page, corpus("seed/seed-goroutine.debug2.txt"));
    await page.waitForSelector('[data-testid="tab-goroutines"]');
    await screenshot(page, "guide-seed-debug2");
  }));

test("goroutine_states debug=1: netpoll and mutex hints from frames alone", () =>
  withPage(async (page) => {
    await openFile(page, corpus("goroutine_states.debug1.txt"));
    await page.waitForSelector('[data-testid="hint"][data-kind="netpoll"]');
    await page.waitForSelector('[data-testid="hint"][data-kind="mutex"]');
  }));

test("heap top: the columns explain themselves in heap words, on hover and focus", () =>
  withPage(async (page) => {
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"));
    await page.click('[data-testid="tab-top"]');
    await page.waitForSelector('[data-testid="top-row"]');
    assert.equal(await page.locator('[data-testid="column-help"]').count(), 0, "no help before hovering");
    await page.hover('[data-testid="sort-cum"]');
    const help = page.locator('[data-testid="column-help"][data-column="cum"]');
    await help.waitFor();
    const t = await help.textContent();
    assert.ok(t.includes("still in use") && t.includes("everything it calls"), t);
    await screenshot(page, "guide-column-help");
    // Keyboard: focus reaches flat% and shows its explanation.
    await page.focus('.top-table .head .help-cell[tabindex="0"]');
    await page.waitForSelector('[data-testid="column-help"][data-column="flat%"]');
    // The guide panel starts closed, opens, and stays open after a reload.
    const panel = page.locator('[data-testid="how-to-read"]');
    assert.equal(await panel.getAttribute("data-open"), "false");
    await panel.locator("button").click();
    assert.equal(await panel.getAttribute("data-open"), "true");
    assert.ok((await panel.textContent()).includes("alloc_space"));
    await screenshot(page, "guide-how-to-read");
    await page.reload();
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]');
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"));
    await page.click('[data-testid="tab-top"]');
    assert.equal(await page.getAttribute('[data-testid="how-to-read"]', "data-open"), "true");
  }));

test("flame graph: a legend for width, depth and colour", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    await page.click('[data-testid="tab-flame"]');
    const legend = page.locator('[data-testid="flame-legend"]');
    await legend.waitFor();
    const t = await legend.textContent();
    assert.ok(t.includes("Width") && t.includes("Depth") && t.includes("package"), t);
    await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
    await screenshot(page, "guide-flame-legend");
  }));
