// Go 1.26-1.27 goroutine dumps through the file input: labels after the
// header's bracket, `(leaked)` and `(durable)` flags, goroutineleak profiles
// and tracebacks that show only some goroutines. Expected numbers are read
// from the raw text here, independently of the decoder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { corpus, openFile, screenshot, text, withPage } from "./harness.mjs";

/// Per goroutine header of a debug=2 dump or traceback: its state without
/// flags, whether it is marked leaked, and its labels as sorted `k=v` pairs
/// joined by `;` (quotes dropped; none of these files escapes inside one).
function headers(path) {
  const out = [];
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const m = /^goroutine \d+ \[([^\]]*)\](?: \{(.*)\})?:$/.exec(line);
    if (!m) continue;
    const reason = m[1].split(",")[0];
    const state = reason.replace(/( \((leaked|durable|scan)\))+$/, "");
    const labels = (m[2] ? m[2].split(", ") : [])
      .map((kv) => kv.split(": ").map((s) => s.replace(/^"|"$/g, "")).join("="))
      .sort()
      .join(";");
    out.push({ state, leaked: / \(leaked\)/.test(reason), labels });
  }
  return out;
}

const tally = (items, key) => {
  const m = new Map();
  for (const it of items) m.set(key(it), (m.get(key(it)) || 0) + 1);
  return m;
};

async function groups(page) {
  return page.$$eval('[data-testid="goroutine-group"]', (gs) =>
    gs.map((g) => ({
      count: Number(g.dataset.count),
      leaked: Number(g.dataset.leaked),
      labels: g.dataset.labels.split(";").filter(Boolean).sort().join(";"),
    })),
  );
}

async function openGoroutines(page, file) {
  await openFile(page, corpus(file));
  await page.click('[data-testid="tab-goroutines"]');
  await page.waitForSelector('[data-testid="goroutine-total"]');
}

/// Checks the tab against the raw headers: total, states without flags,
/// goroutines per label set, and leaked counts.
async function checkAgainstRaw(page, file) {
  const want = headers(corpus(file));
  assert.equal(Number(await text(page, "goroutine-total")), want.length, `${file}: total`);
  const rows = await page.$$eval('[data-testid="state-row"]', (rs) => rs.map((r) => [r.dataset.state, Number(r.dataset.count)]));
  assert.deepEqual(new Map(rows), tally(want, (h) => h.state), `${file}: states without flags`);
  const gs = await groups(page);
  const perLabels = new Map();
  for (const g of gs) perLabels.set(g.labels, (perLabels.get(g.labels) || 0) + g.count);
  assert.deepEqual(perLabels, tally(want, (h) => h.labels), `${file}: goroutines per label set`);
  const leaked = gs.reduce((a, g) => a + g.leaked, 0);
  assert.equal(leaked, want.filter((h) => h.leaked).length, `${file}: leaked`);
  return gs;
}

test("go1.27 labelled dump: groups keep labels apart, merge them on request", () =>
  withPage(async (page) => {
    const file = "go1.27/labelled_states.goroutine.debug2.txt";
    await openGoroutines(page, file);
    const split = await checkAgainstRaw(page, file);
    await page.locator('[data-testid="goroutine-groups"]').scrollIntoViewIfNeeded();
    await screenshot(page, "go127-labelled-goroutines");
    await page.click('[data-testid="group-ignore-labels"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="goroutine-group"]').length < n, split.length);
    const merged = await groups(page);
    assert.equal(merged.reduce((a, g) => a + g.count, 0), 43);
  }));

test("go1.27 dump with (leaked) marks: leaked counts per group and a badge", () =>
  withPage(async (page) => {
    const file = "go1.27/leak_orphans.goroutine.debug2.txt";
    await openGoroutines(page, file);
    await checkAgainstRaw(page, file);
    assert.equal(await page.getAttribute('[data-testid="goroutine-facts"]', "data-leaked"), "16");
    assert.ok((await page.$$('[data-testid="leaked-badge"]')).length > 0, "leaked groups carry a badge");
    assert.ok(await page.isVisible('[data-testid="leak-profile"]'));
    const first = await page.getAttribute('[data-testid="hint"]', "data-severity");
    assert.equal(first, "error", "a certain leak is the first hint");
    await screenshot(page, "go127-leaked-goroutines-hints");
    await page.locator('[data-testid="goroutine-groups"]').scrollIntoViewIfNeeded();
    await screenshot(page, "go127-leaked-goroutines");
  }));

for (const file of ["go1.27/leak_orphans.goroutineleak.pb.gz", "go1.27/leak_orphans.goroutineleak.debug1.txt"]) {
  test(`${file}: every goroutine of a goroutineleak profile is leaked`, () =>
    withPage(async (page) => {
      await openGoroutines(page, file);
      assert.equal(Number(await text(page, "goroutine-total")), 16);
      const gs = await groups(page);
      assert.ok(gs.every((g) => g.leaked === g.count), JSON.stringify(gs));
      assert.match(await text(page, "kind"), /goroutine leak profile/);
    }));
}

test("go1.27 synctest deadlock: a partial traceback says what it shows", () =>
  withPage(async (page) => {
    const file = "go1.27/synctest_deadlock.gotest.GOTRACEBACK_default.txt";
    await openGoroutines(page, file);
    await checkAgainstRaw(page, file);
    assert.match(await text(page, "traceback-partial"), /bubble/);
    await screenshot(page, "go127-synctest-partial");
  }));

test("go1.27 test timeout: every goroutine shown, no partial banner", () =>
  withPage(async (page) => {
    const file = "go1.27/test_timeout.gotest.GOTRACEBACK_default.txt";
    await openGoroutines(page, file);
    await checkAgainstRaw(page, file);
    assert.equal(await page.$('[data-testid="traceback-partial"]'), null);
  }));
