// The goroutine series, the leak finder, as a user meets it: the three
// snapshots of corpus/series/ chosen together through the file input. The
// counts per snapshot are read here from the raw dumps, independently of
// the decoder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { corpus, screenshot, waitSettled, withPage } from "./harness.mjs";

const SNAPS = [0, 1, 2].map((i) => `series/leak_http.snap${i}.goroutine.debug2.txt`);

/// Goroutines of a debug=2 dump whose stack runs `fn`: its records are
/// separated by blank lines and start with their `goroutine N [...]:` header.
function countRunning(path, fn) {
  return readFileSync(corpus(path), "utf8")
    .split(/\n\s*\n/)
    .filter((rec) => /^goroutine \d+ \[/.test(rec) && rec.includes(`\n${fn}(`))
    .length;
}

const totalOf = (path) => readFileSync(corpus(path), "utf8").split("\n").filter((l) => /^goroutine \d+ \[.*\]:$/.test(l)).length;

async function rows(page) {
  return page.$$eval('[data-testid="series-row"]', (rs) => rs.map((r) => ({
    counts: r.dataset.counts.split(",").map(Number),
    growth: Number(r.dataset.growth),
    suspect: r.dataset.suspect,
    verdict: r.dataset.verdict,
    text: r.textContent,
  })));
}

async function openSeries(page, paths) {
  await page.setInputFiles('[data-testid="file-input"]', paths.map((p, i) => ({
    name: `snapshot${i}`, mimeType: "application/octet-stream", buffer: readFileSync(corpus(p)),
  })));
  await waitSettled(page);
  await page.waitForSelector('[data-testid="series-row"]');
}

for (const colorScheme of ["light", "dark"]) {
  test(`three debug=2 snapshots: the leaking send is the first suspect (${colorScheme})`, () =>
    withPage(async (page) => {
      await openSeries(page, SNAPS);
      assert.equal(await page.$eval('[data-testid="open-mode"] option[value=""]', (o) => o.textContent), "auto (series)");
      assert.equal(await page.$eval('[data-testid="open-mode"]', (s) => s.value), "series", "the select shows what the files became");
      const totals = await page.$$eval('[data-testid="series-snapshot"]', (s) => s.map((x) => Number(x.dataset.total)));
      assert.deepEqual(totals, SNAPS.map(totalOf));
      const [first, ...rest] = await rows(page);
      assert.equal(first.suspect, "yes");
      assert.match(first.text, /main\.slowBackend/);
      assert.deepEqual(first.counts, SNAPS.map((p) => countRunning(p, "main.slowBackend")));
      assert.equal(first.growth, first.counts[2] - first.counts[0]);
      const pool = rest.find((r) => r.text.includes("main.pool"));
      assert.ok(pool, "the worker pool is listed");
      assert.equal(pool.verdict, "stable");
      assert.equal(pool.suspect, "no");
      assert.deepEqual(pool.counts, SNAPS.map((p) => countRunning(p, "main.pool")));
      const table = await page.$eval('[data-testid="series-groups"]', (t) => ({
        tag: t.tagName, headers: [...t.querySelectorAll('thead th[scope="col"]')].map((h) => h.textContent),
      }));
      assert.deepEqual(table, { tag: "TABLE", headers: ["verdict", "counts", "growth", "state", "waiting", "where"] });
      await screenshot(page, `series-${colorScheme}`);
    }, { colorScheme }));
}

test("snapshots chosen in the wrong order are flagged from their wait times", () =>
  withPage(async (page) => {
    await openSeries(page, [SNAPS[2], SNAPS[0], SNAPS[1]]);
    await page.waitForSelector('[data-testid="series-warning"]');
  }));
