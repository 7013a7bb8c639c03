// Comparisons and series on WebKit, as ../compare.test.mjs and
// ../series.test.mjs check them on the other engines: every pair of
// PAIRS.tsv through "Compare with…" and its base input, in both modes, with
// the top text equal to `go tool pprof` (Go 1.27); two profiles chosen
// together; and the three goroutine snapshots of corpus/series/ as a series.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { CORPUS, corpus } from "../harness.mjs";
import { chooseFiles, downloadTop, expectInk, expectSettled, flameDrawn, openFile, screenshot, select, selectSampleType, text, webkitSite, withSession } from "./page.mjs";

const site = webkitSite();

const tsv = (name) => {
  const [head, ...rows] = readFileSync(`${CORPUS}/${name}`, "utf8").split("\n").filter((l) => l.trim());
  const keys = head.split("\t");
  return rows.map((r) => Object.fromEntries(r.split("\t").map((v, i) => [keys[i], v])));
};

async function selectCompareMode(s, mode) {
  const current = await s.run(() => document.querySelector('[data-testid="compare-inputs"]')?.dataset.mode);
  if (current === mode) return;
  await select(s, "compare-mode", mode);
  // The header shows the mode once the worker has switched.
  await s.waitFor((m) => document.querySelector(`[data-testid="compare-inputs"][data-mode="${m}"]`), { what: `mode ${mode}` }, mode);
  await expectSettled(s);
}

/// Opens NEW alone, then BASE through "Compare with…".
async function openPair(s, base, newer) {
  await openFile(s, corpus(newer), "ready", { name: "new" });
  await s.click('[data-testid="compare"]');
  await s.waitFor(() => document.querySelector('[data-testid="base-input"]'), { what: "the base input" });
  await chooseFiles(s, "base-input", [[corpus(base), "base"]], { waitLoading: true });
  await s.waitFor(() => document.querySelector('[data-testid="compare-inputs"]'), { what: "the comparison" });
  assert.equal(await text(s, "base-name"), "base");
  assert.equal(await text(s, "new-name"), "new");
  await s.click('[data-testid="tab-top"]');
}

const pairs = new Map();
for (const row of tsv("PAIRS.tsv")) {
  const key = `${row.base}\t${row.new}`;
  if (!pairs.has(key)) pairs.set(key, []);
  pairs.get(key).push(row);
}

for (const [key, rows] of pairs) {
  const [base, newer] = key.split("\t");
  test(`webkit: compare ${basename(newer)} with base ${basename(base)}: ${rows.length} oracles`, () =>
    withSession(site, async (s) => {
      await openPair(s, base, newer);
      for (const row of rows) {
        await selectCompareMode(s, row.mode);
        await selectSampleType(s, row.sample_index);
        assert.equal(await downloadTop(s, null), readFileSync(corpus(row.oracle), "utf8"), `${row.mode} ${row.sample_index}: ${row.oracle}`);
      }
    }));
}

test("webkit: two profiles chosen together compare, the earlier as base; the diff flame graph draws", () =>
  withSession(site, async (s) => {
    // Chosen later-first: the earlier time_nanos still becomes the base.
    await chooseFiles(s, "file-input", [[corpus("series/leak_http.snap2.heap.pb.gz"), "snap2"], [corpus("series/leak_http.snap0.heap.pb.gz"), "snap0"]]);
    assert.equal(await s.run(() => document.querySelector('[data-testid="open-mode"] option[value=""]').textContent), "auto (compare)");
    assert.equal(await text(s, "base-name"), "snap0");
    assert.equal(await text(s, "new-name"), "snap2");
    await s.click('[data-testid="tab-top"]');
    await selectSampleType(s, "inuse_space");
    const want = readFileSync(corpus("pairs/leak_http.snap2.heap.pb.gz__vs__leak_http.snap0.heap.pb.gz.diff_base.top.inuse_space.txt"), "utf8");
    assert.equal(await downloadTop(s, null), want);
    assert.ok(await s.run(() => document.querySelector('[data-testid="top-row"] [data-testid="row-delta-pct"]')), "rows show delta%");
    await screenshot(s, "compare-top");
    await flameDrawn(s);
    await s.waitFor(() => document.querySelector('[data-testid="flame-legend"]'), { what: "the diff legend" });
    await expectInk(s);
    await screenshot(s, "compare-flame");
  }));

const SNAPS = [0, 1, 2].map((i) => `series/leak_http.snap${i}.goroutine.debug2.txt`);

/// Goroutines of a debug=2 dump whose stack runs `fn`, read from the raw text.
const countRunning = (path, fn) => readFileSync(corpus(path), "utf8")
  .split(/\n\s*\n/)
  .filter((rec) => /^goroutine \d+ \[/.test(rec) && rec.includes(`\n${fn}(`))
  .length;
const totalOf = (path) => readFileSync(corpus(path), "utf8").split("\n").filter((l) => /^goroutine \d+ \[.*\]:$/.test(l)).length;

test("webkit: three debug=2 snapshots: the leaking send is the first suspect", () =>
  withSession(site, async (s) => {
    await chooseFiles(s, "file-input", SNAPS.map((p, i) => [corpus(p), `snapshot${i}`]));
    await s.waitFor(() => document.querySelector('[data-testid="series-row"]'), { what: "the series" });
    assert.equal(await s.run(() => document.querySelector('[data-testid="open-mode"] option[value=""]').textContent), "auto (series)");
    assert.equal(await s.run(() => document.querySelector('[data-testid="open-mode"]').value), "series", "the select shows what the files became");
    const totals = await s.run(() => [...document.querySelectorAll('[data-testid="series-snapshot"]')].map((x) => Number(x.dataset.total)));
    assert.deepEqual(totals, SNAPS.map(totalOf));
    const [first, ...rest] = await s.run(() => [...document.querySelectorAll('[data-testid="series-row"]')].map((r) => ({
      counts: r.dataset.counts.split(",").map(Number), growth: Number(r.dataset.growth), suspect: r.dataset.suspect, verdict: r.dataset.verdict, text: r.textContent,
    })));
    assert.equal(first.suspect, "yes");
    assert.match(first.text, /main\.slowBackend/);
    assert.deepEqual(first.counts, SNAPS.map((p) => countRunning(p, "main.slowBackend")));
    assert.equal(first.growth, first.counts[2] - first.counts[0]);
    const pool = rest.find((r) => r.text.includes("main.pool"));
    assert.ok(pool, "the worker pool is listed");
    assert.equal(pool.verdict, "stable");
    assert.deepEqual(pool.counts, SNAPS.map((p) => countRunning(p, "main.pool")));
    await screenshot(s, "series-light");
  }));
