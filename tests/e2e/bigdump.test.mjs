// A goroutine dump larger than the page would read whole (issue 15): the
// worker reads the file a slice at a time and the decoder never holds the
// text, so the counts are exact and the worker's memory stays below the
// file's size.
//
// Size: just over DecodeOptions::max_uncompressed (1.5 GiB), the most text
// the page reads whole; a whole read would refuse this file. Beyond that,
// memory grows with goroutines (about 125 bytes each), not with text, so a
// bigger file proves no more, and this one is written in about 10 s and
// read in about as long on CI's two cores. A 4.4 GB dump is read natively
// through the same streaming path in tests/dump_stream_big.rs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENGINE, skipOn } from "./engines.mjs";
import { corpus, screenshot, text, waitSettled, withPage } from "./harness.mjs";
import { statesOf } from "./report.mjs";

const WHOLE_LIMIT = 1536 * 2 ** 20;

/// Writes the corpus dump again and again under fresh goroutine ids until
/// the file passes `size` bytes; returns the path and the repeat count.
function writeBigDump(dir, source, size) {
  const text = readFileSync(source, "utf8");
  const path = join(dir, "goroutines-big.txt");
  const fd = openSync(path, "w");
  let written = 0;
  let repeats = 0;
  let id = 1;
  try {
    while (written <= size) {
      const copy = Buffer.from(text.replace(/^goroutine \d+ /gm, () => `goroutine ${id++} `));
      writeSync(fd, copy);
      written += copy.length;
      repeats += 1;
    }
  } finally {
    closeSync(fd);
  }
  return { path, repeats };
}

test("a dump larger than the page reads whole opens with exact counts", { timeout: 600_000 }, async () => {
  const source = corpus("goroutine_states.debug2.txt");
  const dir = mkdtempSync(join(tmpdir(), "pprof-lens-big-"));
  try {
    const { path, repeats } = writeBigDump(dir, source, WHOLE_LIMIT);
    const size = statSync(path).size;
    assert.ok(size > WHOLE_LIMIT, `${size} bytes`);
    const states = statesOf(source);
    const perCopy = [...states.values()].reduce((a, b) => a + b, 0);
    await withPage(async (page) => {
      const t0 = Date.now();
      await page.setInputFiles('[data-testid="file-input"]', path);
      await waitSettled(page, "ready", 300_000);
      const seconds = (Date.now() - t0) / 1000;
      await page.click('[data-testid="tab-goroutines"]');
      await page.waitForSelector('[data-testid="goroutine-total"]');
      assert.equal(Number(await text(page, "goroutine-total")), perCopy * repeats);
      const rows = await page.$$eval('[data-testid="state-row"]', (rs) => rs.map((r) => [r.dataset.state, Number(r.dataset.count)]));
      assert.deepEqual(new Map(rows), new Map([...states].map(([s, n]) => [s, n * repeats])));
      const groups = await page.$$eval('[data-testid="goroutine-group"]', (gs) => gs.map((g) => Number(g.dataset.count)));
      assert.equal(groups.reduce((a, b) => a + b, 0), perCopy * repeats, "groups add up to the total");
      let memory = "";
      if (!skipOn("firefox", "playwright cannot evaluate in a worker over WebDriver BiDi: the worker's memory is not read")) {
        const wasm = await page.workers()[0].evaluate(() => self.__pprofLensWasmBytes);
        assert.ok(wasm < size / 2, `worker memory ${wasm} bytes for a ${size}-byte dump`);
        memory = `, worker memory ${(wasm / 2 ** 20).toFixed(0)} MiB`;
      }
      console.log(`# ${ENGINE}: ${(size / 1e9).toFixed(2)} GB, ${perCopy * repeats} goroutines: ready in ${seconds.toFixed(1)} s${memory}`);
      await screenshot(page, "goroutines-big-dump");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The worker streams a dump asynchronously, so another file can arrive while
// it reads: that file must wait its turn, or its answer would overtake the
// dump's and the page would label one profile with the other's name.
test("a file chosen while a dump streams in opens after it", { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pprof-lens-queue-"));
  try {
    // About 1 s of streaming on CI's cores: the second file comes long
    // before the dump's end.
    const { path } = writeBigDump(dir, corpus("goroutine_states.debug2.txt"), 200 * 2 ** 20);
    const cpu = corpus("cpu_regexp_json.pb.gz");
    await withPage(async (page) => {
      await page.setInputFiles('[data-testid="file-input"]', path);
      await page.setInputFiles('[data-testid="file-input"]', cpu);
      await page.waitForFunction(() => document.querySelector('[data-testid="file-name"]')?.textContent === "cpu_regexp_json.pb.gz", null, { timeout: 120_000 });
      await waitSettled(page, "ready", 120_000);
      assert.equal(await page.$eval('[data-testid="sample-type"]', (s) => s.value), "cpu");
      assert.equal(await page.$('[data-testid="error"]'), null);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
