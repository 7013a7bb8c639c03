// The labels panel and pprof's tag options through the page: the panel's
// rows equal `go tool pprof -tags`, a click on a value and the text inputs
// (applied on Enter) give the top text of `go tool pprof -top -tagfocus=…`
// (and the others), from the oracles in tests/data/tags. The goroutine
// view's label filter keeps as many goroutines as the raw text counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, corpus, openFile, screenshot, withPage } from "./harness.mjs";
import { downloadTop } from "./report.mjs";

const oracle = (name) => readFileSync(join(ROOT, "tests/data/tags", name), "utf8");

/// `-tags` oracle lines as [key, value, amount, percent].
function tagRows(text) {
  const rows = [];
  let key = null;
  for (const line of text.split("\n")) {
    const head = /^\s*(\S+): Total /.exec(line);
    if (head) { key = head[1]; continue; }
    const m = /^\s+(\S+) \(\s*([^)]*)\): (.*)$/.exec(line);
    if (m) rows.push([key, m[3], m[1], m[2]]);
  }
  return rows;
}

async function panelRows(page) {
  return page.$$eval('[data-testid="label-value"]', (rs) =>
    rs.map((r) => [r.dataset.key, r.dataset.value, ...[...r.querySelectorAll(".num")].map((n) => n.textContent.trim())]));
}

/// Reads `read()` until it equals `want` or 15 s pass, and returns the last
/// read: the panel and the inputs change a render after the event that asks.
async function settled(page, read, want) {
  let got;
  for (const end = Date.now() + 15000; ;) {
    got = await read();
    try { assert.deepEqual(got, want); return got; } catch { if (Date.now() > end) return got; }
    await page.waitForTimeout(100);
  }
}

async function panelEquals(page, want) {
  assert.deepEqual(await settled(page, () => panelRows(page), want), want);
}

async function inputEquals(page, selector, want) {
  assert.equal(await settled(page, () => page.inputValue(selector), want), want);
}

async function setOption(page, testid, value) {
  const input = page.locator(`[data-testid="${testid}"]`);
  await input.fill(value);
  await input.press("Enter");
}

async function topAfter(page, want) {
  // The header shows the new options once the table is asked again.
  await page.waitForFunction(() => !!document.querySelector('[data-testid="top-row"]'));
  return settled(page, () => downloadTop(page), want);
}

test("labels panel equals pprof -tags, a click focuses, tag inputs equal -top oracles", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    await page.waitForSelector('[data-testid="label-value"]');
    await panelEquals(page, tagRows(oracle("cpu.tags.txt")));
    await page.locator('[data-testid="labels-panel"]').scrollIntoViewIfNeeded();
    await screenshot(page, "labels-panel-light");

    // A click on phase=match is pprof's -tagfocus=phase=^match$, which keeps
    // the same samples as the oracle's -tagfocus=phase=match; only the
    // Active filters line differs.
    await page.click('[data-testid="label-value"][data-key="phase"][data-value="match"]');
    await inputEquals(page, '[data-testid="tagfocus"]', "phase=^match$");
    const want = oracle("cpu.tagfocus_phase_match.txt").replace("tagfocus=phase=match", "tagfocus=phase=^match$");
    assert.equal(await topAfter(page, want), want);
    // The panel follows the focus: only worker and phase=match samples.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="label-value"][data-key="phase"]').length === 1);

    // Ignore from the panel: worker=1 out.
    await setOption(page, "tagfocus", "");
    await page.click('[data-testid="label-value"][data-key="worker"][data-value="1"] [data-testid="label-ignore"]');
    await inputEquals(page, '[data-testid="tagignore"]', "worker=^1$");
    await setOption(page, "tagignore", "worker=1");
    const cases = [
      ["tagignore", "worker=1", "cpu.tagignore_worker_1.txt"],
      ["tagfocus", "json", "cpu.tagfocus_json.txt"],
      ["tagshow", "phase", "cpu.tagshow_phase.txt"],
      ["taghide", "worker", "cpu.taghide_worker.txt"],
      ["tagroot", "phase", "cpu.tagroot_phase.txt"],
      ["tagleaf", "worker", "cpu.tagleaf_worker.txt"],
    ];
    for (const [option, value, file] of cases) {
      for (const o of ["tagfocus", "tagignore", "tagshow", "taghide", "tagroot", "tagleaf"]) await setOption(page, o, o === option ? value : "");
      const want = oracle(file);
      assert.equal(await topAfter(page, want), want, `${option}=${value}`);
    }
    // taghide=worker: the panel lists phase only, as -tags does.
    await setOption(page, "tagleaf", "");
    await setOption(page, "taghide", "worker");
    await page.waitForFunction(() => !document.querySelector('[data-testid="label-value"][data-key="worker"]'));
    await panelEquals(page, tagRows(oracle("cpu.tags.taghide_worker.txt")));
  }));

test("numeric labels: units in the panel, ranges in pprof's syntax", () =>
  withPage(async (page) => {
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"));
    await page.waitForSelector('[data-testid="label-value"]');
    await panelEquals(page, tagRows(oracle("heap.tags.txt")));
    for (const [option, value, file] of [
      ["tagfocus", "bytes=1kb:64kb", "heap.tagfocus_1kb_64kb.txt"],
      ["tagfocus", "bytes=:1kb", "heap.tagfocus_upto_1kb.txt"],
      ["tagfocus", "64kb:", "heap.tagfocus_from_64kb.txt"],
    ]) {
      await setOption(page, option, value);
      const want = oracle(file);
      assert.equal(await topAfter(page, want), want, `${option}=${value}`);
    }
    await setOption(page, "tagfocus", "bytes=1kb:64kb");
    const focused = tagRows(oracle("heap.tags.tagfocus_1kb_64kb.txt"));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="label-value"]').length === n, focused.length);
    await panelEquals(page, focused);
    // A click on a number with decimals focuses exactly that number.
    await setOption(page, "tagfocus", "");
    await panelEquals(page, tagRows(oracle("heap.tags.txt")));
    await page.click('[data-testid="label-value"][data-value="2.62kB"]');
    await inputEquals(page, '[data-testid="tagfocus"]', "bytes=2688bytes");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="label-value"]').length === 1);
    await setOption(page, "tagfocus", "bytes=((");
    await page.waitForSelector('[data-testid="labels-error"]');
  }));

test("labels panel in the dark theme", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    await page.waitForSelector('[data-testid="label-value"]');
    await page.locator('[data-testid="labels-panel"]').scrollIntoViewIfNeeded();
    await screenshot(page, "labels-panel-dark");
  }, { colorScheme: "dark" }));

test("goroutine label filter keeps the goroutines the raw dump labels so", () =>
  withPage(async (page) => {
    const file = "go1.27/labelled_states.goroutine.debug2.txt";
    const want = new Map();
    for (const line of readFileSync(corpus(file), "utf8").split(/\r?\n/)) {
      const m = /^goroutine \d+ \[[^\]]*\] \{(.*)\}:$/.exec(line);
      if (!m) continue;
      for (const kv of m[1].split(", ")) {
        const label = kv.split(": ").map((s) => s.replace(/^"|"$/g, "")).join("=");
        want.set(label, (want.get(label) || 0) + 1);
      }
    }
    assert.ok(want.size >= 5);
    await openFile(page, corpus(file));
    await page.click('[data-testid="tab-goroutines"]');
    await page.waitForSelector('[data-testid="goroutine-label-filter"]');
    for (const [label, n] of want) {
      await page.selectOption('[data-testid="goroutine-label-filter"]', label);
      await page.waitForFunction((l) => document.querySelector('[data-testid="goroutine-label-count"]').dataset.label === l, label);
      assert.equal(Number(await page.getAttribute('[data-testid="goroutine-label-count"]', "data-count")), n, label);
      const sum = await page.$$eval('[data-testid="goroutine-group"]', (gs) => gs.reduce((a, g) => a + Number(g.dataset.count), 0));
      assert.equal(sum, n, `${label}: groups shown`);
    }
    await screenshot(page, "goroutine-label-filter");
  }));
