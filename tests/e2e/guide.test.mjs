// The reading guide, built in, as a new user meets it with the guide's own
// examples (corpus/seed/): the dominant-group hint of the debug=1 dump and
// its way to the series view, the top table's column explanations, the
// flame graph's legend, and pasted go tool pprof text (-top, -traces).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, corpus, openFile, screenshot, text, waitSettled, withPage } from "./harness.mjs";

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

/// The rows of pasted pprof text as printed: [flat, flat%, sum%, cum, cum%, name].
function printedRows(raw) {
  const lines = raw.split("\n");
  const heads = lines.findIndex((l) => /^\s*flat\s+flat%\s+sum%\s+cum\s+cum%\s*$/.test(l));
  const rows = [];
  for (const l of lines.slice(heads + 1)) {
    const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(l);
    if (!m) break;
    rows.push(m.slice(1));
  }
  return rows;
}

const shownRows = (page) =>
  page.$$eval('[data-testid="top-row"]', (rs) => rs.map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent)));

/// What a pasted top must show: the banner with the fetch command, no flame
/// graph tab, no pprof filters, and the text's rows number for number.
async function checkSeedTop(page, raw) {
  const banner = page.locator('[data-testid="pasted-top"]');
  await banner.waitFor();
  assert.ok((await banner.textContent()).includes("no stacks"));
  assert.equal(await page.textContent('[data-testid="pasted-fetch"]'), "curl -o heap.pb.gz 'http://localhost:8002/debug/pprof/heap'");
  assert.equal(await page.locator('[data-testid="tab-flame"]').count(), 0);
  assert.equal(await page.locator('[data-testid="focus"]').count(), 0);
  await page.waitForSelector('[data-testid="top-row"]');
  const want = printedRows(raw);
  assert.equal(want.length, 6);
  assert.deepEqual(await shownRows(page), want);
  assert.ok((await text(page, "top-header")).includes("of 34390.35kB total"));
}

test("seed heap top: opened from a file, its six rows with the text's numbers", () =>
  withPage(async (page) => {
    const path = corpus("seed/seed-heap-top.txt");
    const raw = readFileSync(path, "utf8");
    await openFile(page, path);
    await checkSeedTop(page, raw);
    // Sortable: cum order puts regexp.compile (63.62%) first.
    await page.click('[data-testid="sort-cum"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="top-row"] .name')?.textContent === "regexp.compile");
    // The columns explain themselves in heap words, without saying it twice.
    await page.hover('[data-testid="sort-flat"]');
    const help = await page.locator('[data-testid="column-help"][data-column="flat"]').textContent();
    assert.ok(help.includes("still in use") && !/still in use.*still in use/.test(help), help);
    // No samples, so no labels panel and no sandwich action.
    assert.equal(await page.locator('[data-testid="labels-panel"]').count(), 0);
    assert.equal(await page.locator('[data-testid="row-sandwich"]').count(), 0);
    await screenshot(page, "guide-pasted-top");
  }));

test("seed heap top: pasted from the clipboard, the same six rows", () =>
  withPage(async (page) => {
    const raw = readFileSync(corpus("seed/seed-heap-top.txt"), "utf8");
    await page.evaluate((t) => {
      const data = new DataTransfer();
      data.setData("text/plain", t);
      document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, dataType: "text/plain", data: t, bubbles: true }));
    }, raw);
    await waitSettled(page, "ready");
    await checkSeedTop(page, raw);
  }));

test("go tool pprof -traces text opens with a flame graph", () =>
  withPage(async (page) => {
    await openFile(page, join(ROOT, "tests/data/pprof_text/goroutine.traces.txt"));
    assert.equal(await page.locator('[data-testid="pasted-top"]').count(), 0);
    assert.ok((await text(page, "kind")).includes("-traces"));
    await page.click('[data-testid="tab-flame"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
    await screenshot(page, "guide-traces-flame");
  }));

test("the dominant-group hint opens later dumps as a series with the open one", () =>
  withPage(async (page) => {
    const path = corpus("seed/seed-goroutine.debug1.txt");
    await openFile(page, path, { name: "seed.debug1.txt" });
    const offer = page.locator('[data-testid="hint"][data-kind="dominant-group"] [data-testid="hint-series"]');
    await offer.waitFor();
    assert.equal(await offer.getAttribute("data-with-open"), "true");
    await page.setInputFiles('[data-testid="hint-series-input"]', {
      name: "later.debug1.txt", mimeType: "text/plain", buffer: readFileSync(path),
    });
    await page.waitForSelector('[data-testid="series-row"]');
    assert.equal(await page.getAttribute('[data-testid="series-inputs"]', "data-count"), "2");
    assert.ok((await text(page, "series-inputs")).includes("seed.debug1.txt, later.debug1.txt"));
    await screenshot(page, "guide-hint-series");
  }));
