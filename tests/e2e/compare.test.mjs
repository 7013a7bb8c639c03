// Profiles made of several files: every pair of PAIRS.tsv compared through
// `compare`/`base-input` in both modes, every merge of MERGES.tsv opened
// together, the choice of what several files become, and the bad pairs.
// The downloaded top text must equal `go tool pprof` (Go 1.27) exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { CORPUS, corpus, expectState, openFile, screenshot, skipOn, text, waitSettled, withPage } from "./harness.mjs";
import { downloadTop, selectSampleType } from "./report.mjs";

const tsv = (name) => {
  const [head, ...rows] = readFileSync(`${CORPUS}/${name}`, "utf8").split("\n").filter((l) => l.trim());
  const keys = head.split("\t");
  return rows.map((r) => Object.fromEntries(r.split("\t").map((v, i) => [keys[i], v])));
};

const file = (path, name) => ({ name, mimeType: "application/octet-stream", buffer: readFileSync(corpus(path)) });

/// Sets files on a file input, waits until the page settles, and checks
/// that reading them made no request.
async function setFiles(page, testid, files, expect = "ready") {
  const before = page.pprofLens.requests.length;
  await page.setInputFiles(`[data-testid="${testid}"]`, files);
  await settle(page, expect);
  assert.deepEqual(page.pprofLens.requests.slice(before), [], `reading ${files.map((f) => f.name)} made requests`);
}

/// The files the worker's helper decoded, as the worker counts them.
async function helpedCount(page) {
  return workerGlobal(page, "__pprofLensHelped");
}

/// The largest value of `key` in the workers' global scopes (0 where unset).
async function workerGlobal(page, key) {
  const values = await Promise.all(page.workers().map((w) => w.evaluate((k) => self[k] ?? 0, key)));
  return Math.max(0, ...values.map(Number));
}

/// Waits until the worker has heard its helper's hello: from then on it
/// sends the helper files.
async function helperHeard(page) {
  for (let i = 0; i < 300 && !(await workerGlobal(page, "__pprofLensHelperReady")); i++) {
    await page.waitForTimeout(100);
  }
  assert.ok(await workerGlobal(page, "__pprofLensHelperReady"), "the worker never heard its helper");
}

/// Waits for the load started by the last action to end in `expect`.
async function settle(page, expect = "ready") {
  // The status turns "loading" on the next render; wait for that first.
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === "loading", null, { timeout: 5_000 }).catch(() => {});
  await waitSettled(page, expect);
}

async function selectCompareMode(page, mode) {
  const current = await page.getAttribute('[data-testid="compare-inputs"]', "data-mode");
  if (current === mode) return;
  await page.selectOption('[data-testid="compare-mode"]', mode);
  // The header shows the mode once the worker has switched.
  await page.waitForSelector(`[data-testid="compare-inputs"][data-mode="${mode}"]`);
  await waitSettled(page);
}

/// Opens NEW alone, then BASE through "Compare with…".
async function openPair(page, base, newer) {
  await openFile(page, corpus(newer), { name: "new" });
  await page.click('[data-testid="compare"]');
  await setFiles(page, "base-input", [file(base, "base")]);
  await page.waitForSelector('[data-testid="compare-inputs"]');
  assert.equal(await text(page, "base-name"), "base");
  assert.equal(await text(page, "new-name"), "new");
  await page.click('[data-testid="tab-top"]');
}

const pairs = new Map();
for (const row of tsv("PAIRS.tsv")) {
  const key = `${row.base}\t${row.new}`;
  if (!pairs.has(key)) pairs.set(key, []);
  pairs.get(key).push(row);
}

for (const [key, rows] of pairs) {
  const [base, newer] = key.split("\t");
  test(`compare ${basename(newer)} with base ${basename(base)}: ${rows.length} oracles`, () =>
    withPage(async (page) => {
      await openPair(page, base, newer);
      for (const row of rows) {
        await selectCompareMode(page, row.mode);
        await selectSampleType(page, row.sample_index);
        const got = await downloadTop(page, null);
        const want = readFileSync(corpus(row.oracle), "utf8");
        assert.equal(got, want, `${row.mode} ${row.sample_index}: ${row.oracle}`);
      }
    }));
}

for (const row of tsv("MERGES.tsv")) {
  const paths = row.files.split(" ");
  test(`merge ${paths.map((p) => basename(p)).join(" + ")}: ${row.sample_index}`, () =>
    withPage(async (page) => {
      const files = paths.map((p, i) => file(p, `input${i + 1}`));
      // Left to choose, the app compares two profiles and makes a series of
      // goroutine profiles; the open-mode select then opens them merged.
      const auto = paths.length === 2 ? "compare" : paths.every((p) => p.includes("goroutine")) ? "series" : "merge";
      await setFiles(page, "file-input", files);
      const label = await page.$eval('[data-testid="open-mode"] option[value=""]', (o) => o.textContent);
      assert.equal(label, `auto (${auto})`);
      if (auto === "series") await page.waitForSelector('[data-testid="series-row"]');
      if (auto !== "merge") {
        await page.selectOption('[data-testid="open-mode"]', "merge");
        await settle(page);
      }
      await page.waitForSelector(`[data-testid="merged-inputs"][data-count="${paths.length}"]`);
      await page.click('[data-testid="tab-top"]');
      await selectSampleType(page, row.sample_index);
      const got = await downloadTop(page, null);
      assert.equal(got, readFileSync(corpus(row.oracle), "utf8"), row.oracle);
    }));
}

test("adding files merges them into the open profile", () =>
  withPage(async (page) => {
    const [a, b, c] = ["series/leak_http.snap0.heap.pb.gz", "series/leak_http.snap1.heap.pb.gz", "series/leak_http.snap2.heap.pb.gz"];
    await openFile(page, corpus(a), { name: "input1" });
    const counted = !skipOn("firefox", "playwright cannot evaluate in a worker over WebDriver BiDi: the helper's count is not read");
    if (counted) await helperHeard(page);
    await setFiles(page, "merge-add", [file(b, "input2"), file(c, "input3")]);
    await page.waitForSelector('[data-testid="merged-inputs"][data-count="3"]');
    // The worker decoded the first file added; its helper, the second.
    if (counted) assert.equal(await helpedCount(page), 1, "files the helper decoded");
    assert.equal(await page.getAttribute('[data-testid="merged-inputs"]', "title"), "input1\ninput2\ninput3");
    await selectSampleType(page, "inuse_space");
    assert.equal(await downloadTop(page, null), readFileSync(corpus("merges/leak_http_heaps.top.inuse_space.txt"), "utf8"));
  }));

test("two profiles chosen together compare, the earlier as base, and swap", () =>
  withPage(async (page) => {
    const counted = !skipOn("firefox", "playwright cannot evaluate in a worker over WebDriver BiDi: the helper's count is not read");
    if (counted) await helperHeard(page);
    // Chosen later-first: the earlier time_nanos still becomes the base.
    await setFiles(page, "file-input", [file("series/leak_http.snap2.heap.pb.gz", "snap2"), file("series/leak_http.snap0.heap.pb.gz", "snap0")]);
    assert.equal(await text(page, "base-name"), "snap0");
    assert.equal(await text(page, "new-name"), "snap2");
    if (counted) {
      // The second file was decoded by the worker's helper, beside the first.
      assert.equal(await helpedCount(page), 1, "files the helper decoded");
    }
    await selectSampleType(page, "inuse_space");
    const want = (mode) => readFileSync(corpus(`pairs/leak_http.snap2.heap.pb.gz__vs__leak_http.snap0.heap.pb.gz.${mode}.top.inuse_space.txt`), "utf8");
    assert.equal(await downloadTop(page, null), want("diff_base"));
    await page.click('[data-testid="swap"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="base-name"]')?.textContent === "snap2");
    await waitSettled(page);
    assert.notEqual(await downloadTop(page, null), want("diff_base"));
    await page.click('[data-testid="swap"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="base-name"]')?.textContent === "snap0");
    await waitSettled(page);
    await selectCompareMode(page, "base");
    assert.equal(await downloadTop(page, null), want("base"));
    // -normalize scales the new profile to the base's total first: the
    // difference shrinks (no oracle in the corpus; the native tests work
    // its numbers out by hand).
    await page.check('[data-testid="normalize"]');
    await page.waitForSelector('[data-testid="compare-inputs"][data-normalize="true"]');
    await waitSettled(page);
    const normalized = await downloadTop(page, null);
    assert.notEqual(normalized, want("base"));
    assert.match(normalized, /^Showing nodes accounting for /m);
    await page.uncheck('[data-testid="normalize"]');
    await page.waitForSelector('[data-testid="compare-inputs"][data-normalize="false"]');
    await waitSettled(page);
    assert.equal(await downloadTop(page, null), want("base"), "the cached difference comes back");
    await page.waitForSelector('[data-testid="top-row"]');
    // Each row shows base, new, delta and delta%.
    assert.ok(await page.$('[data-testid="top-row"] [data-testid="row-base"]'));
    assert.ok(await page.$('[data-testid="top-row"] [data-testid="row-delta-pct"]'));
    await screenshot(page, "compare-top");
    await page.click('[data-testid="tab-flame"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
    await screenshot(page, "compare-flame");
  }));

for (const colorScheme of ["light", "dark"]) {
  test(`the diff flame graph colours the change, with its legend and tooltip (${colorScheme})`, () =>
    withPage(async (page) => {
      // Mutex against block waits: some paths grew, some shrank.
      await openPair(page, "mutex_block.block.pb.gz", "mutex_block.mutex.pb.gz");
      await page.click('[data-testid="tab-flame"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
      await page.waitForSelector('[data-testid="flame-legend"]');
      const box = await page.$eval('[data-testid="flame-canvas"]', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width }; });
      await page.mouse.move(box.x + box.w * 0.3, box.y + 30);
      await page.waitForSelector('[data-testid="tooltip-diff"]');
      assert.match(await text(page, "tooltip-diff"), /base .*new .*delta .*delta% /s);
      await screenshot(page, `compare-flame-${colorScheme}`);
    }, { colorScheme }));
}

test("the diff flame graph can be sized by the base", () =>
  withPage(async (page) => {
    await openPair(page, "mutex_block.block.pb.gz", "mutex_block.mutex.pb.gz");
    await page.click('[data-testid="tab-flame"]');
    await page.waitForSelector('[data-testid="flame-legend"][data-sized-by="new"]');
    await page.selectOption('[data-testid="flame-size-by"]', "base");
    await page.waitForSelector('[data-testid="flame-legend"][data-sized-by="base"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
    const box = await page.$eval('[data-testid="flame-canvas"]', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width }; });
    await page.mouse.move(box.x + box.w * 0.3, box.y + 30);
    await page.waitForSelector('[data-testid="tooltip-diff"]');
    // Sized by the base, the box's size is the base's; base, new, delta and delta% follow.
    assert.match(await text(page, "tooltip"), /base total .*base self .*base .*new .*delta .*delta% /s);
    await screenshot(page, "compare-flame-by-base");
    await page.selectOption('[data-testid="flame-size-by"]', "new");
    await page.waitForSelector('[data-testid="flame-legend"][data-sized-by="new"]');
  }));

/// Records every files-done count the status line shows, from now on.
async function recordFileCounts(page) {
  await page.evaluate(() => {
    window.__fileCounts = [];
    const seen = () => {
      const el = document.querySelector('[data-testid="progress-files"]');
      if (!el) return;
      const c = `${el.dataset.done}/${el.dataset.chosen}`;
      if (window.__fileCounts.at(-1) !== c) window.__fileCounts.push(c);
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

test("a merge shows files done of files chosen, and cancels between files", () =>
  withPage(async (page) => {
    const counted = !skipOn("firefox", "playwright cannot evaluate in a worker over WebDriver BiDi: the helper's count is not read");
    if (counted) await helperHeard(page);
    await page.selectOption('[data-testid="open-mode"]', "merge");
    const heaps = [0, 1, 2, 0, 1, 2].map((n, i) => file(`series/leak_http.snap${n}.heap.pb.gz`, `input${i + 1}`));
    await recordFileCounts(page);
    await setFiles(page, "file-input", heaps);
    await page.waitForSelector('[data-testid="merged-inputs"][data-count="6"]');
    const counts = await page.evaluate(() => window.__fileCounts);
    assert.ok(counts.length > 0, "no file count was shown");
    const done = counts.map((c) => Number(c.split("/")[0]));
    assert.ok(counts.every((c) => c.endsWith("/6")), `${counts}`);
    assert.ok(done.every((d, i) => d < 6 && (i === 0 || d > done[i - 1])), `${counts}`);
    if (counted) {
      // The worker decoded the first file; its helper decoded the other five.
      assert.equal(await helpedCount(page), 5, "files the helper decoded");
    }

    // Large files: cancel once some are merged, and not all. The helper
    // decodes the second and third while the worker decodes the first, so
    // the count may pass 1 before the page draws it; with six, three
    // files' decoding is left after it.
    const big = [1, 2, 3, 4, 5, 6].map((i) => file("bigheap_callgraph.heap.pb.gz", `big${i}`));
    await recordFileCounts(page);
    await page.setInputFiles('[data-testid="file-input"]', big);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="progress-files"]')?.dataset.done) >= 1, null, { timeout: 30_000 });
    await page.click('[data-testid="cancel"]');
    await waitSettled(page, "ready");
    // The merge of six is shown again, replayed by the new worker.
    await page.waitForSelector('[data-testid="merged-inputs"][data-count="6"]', { timeout: 30_000 });
    assert.equal(await page.$('[data-testid="progress-files"]'), null);
    const names = await page.getAttribute('[data-testid="merged-inputs"]', "title");
    assert.deepEqual(names.split("\n"), heaps.map((h) => h.name), "the merge shown");
  }));

test("a merge goes on when the helper worker fails", () =>
  withPage(async (page) => {
    if (skipOn("firefox", "playwright cannot evaluate in a worker over WebDriver BiDi: the helper cannot be made to fail")) return;
    const row = tsv("MERGES.tsv")[0];
    const paths = row.files.split(" ");
    // The helper takes its jobs, then fails as it answers the first.
    await helperHeard(page);
    const workers = page.workers();
    const names = await Promise.all(workers.map((w) => w.evaluate(() => self.name)));
    const helper = workers[names.indexOf("pprof-lens-helper")];
    assert.ok(helper, `no helper among the workers ${names}`);
    await helper.evaluate(() => {
      MessagePort.prototype.postMessage = function () {
        setTimeout(() => { throw new Error("the helper fails, as a test asks"); });
      };
    });
    await page.selectOption('[data-testid="open-mode"]', "merge");
    await setFiles(page, "file-input", paths.map((p, i) => file(p, `input${i + 1}`)));
    await page.waitForSelector(`[data-testid="merged-inputs"][data-count="${paths.length}"]`);
    assert.equal(await page.evaluate(() => window.__pprofLensHelper), "failed");
    assert.ok(await workerGlobal(page, "__pprofLensHelperJobs") >= 2, "files sent to the helper");
    assert.equal(await helpedCount(page), 0, "files the helper decoded");
    await selectSampleType(page, row.sample_index);
    assert.equal(await downloadTop(page, null), readFileSync(corpus(row.oracle), "utf8"), row.oracle);
  }));

test("choosing another mode while files open ends in the last choice", () =>
  withPage(async (page) => {
    if (skipOn("firefox", "playwright cannot evaluate in a worker over WebDriver BiDi: the helper cannot be slowed")) return;
    const row = tsv("MERGES.tsv").find((r) => r.files.includes("goroutine"));
    const paths = row.files.split(" ");
    // The helper answers a second late, so the first opening is still
    // waiting for it when the second request comes.
    await helperHeard(page);
    const workers = page.workers();
    const names = await Promise.all(workers.map((w) => w.evaluate(() => self.name)));
    await workers[names.indexOf("pprof-lens-helper")].evaluate(() => {
      const post = MessagePort.prototype.postMessage;
      MessagePort.prototype.postMessage = function (...args) {
        setTimeout(() => post.apply(this, args), 1000);
      };
    });
    // Goroutine profiles open as a series unless told otherwise.
    await page.setInputFiles('[data-testid="file-input"]', paths.map((p, i) => file(p, `input${i + 1}`)));
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === "loading");
    await page.selectOption('[data-testid="open-mode"]', "merge");
    await page.waitForSelector(`[data-testid="merged-inputs"][data-count="${paths.length}"]`, { timeout: 30_000 });
    await waitSettled(page, "ready");
    assert.equal(await page.$('[data-testid="error"]'), null);
    await selectSampleType(page, row.sample_index);
    assert.equal(await downloadTop(page, null), readFileSync(corpus(row.oracle), "utf8"), row.oracle);
  }));

test("bad pairs say what differs and the app stays usable", () =>
  withPage(async (page) => {
    // Mismatched sample types: a heap profile compared with a CPU profile.
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"), { name: "heap" });
    await page.click('[data-testid="compare"]');
    await setFiles(page, "base-input", [file("cpu_regexp_json.pb.gz", "cpu")], "error");
    const mismatch = await text(page, "error");
    // pprof checks the period type first.
    assert.equal(mismatch, "cannot compare heap (pprof protobuf (gzipped)) with the base cpu (pprof protobuf (gzipped)): period types differ: space/bytes (heap) vs cpu/nanoseconds (cpu)");
    await page.click('[data-testid="error-dismiss"]');
    await expectState(page, "ready");
    assert.equal(await page.$('[data-testid="compare-inputs"]'), null, "the heap profile is still shown alone");
    await page.waitForSelector('[data-testid="top-row"]');

    // A goroutine dump and a CPU profile chosen together.
    await setFiles(page, "file-input", [file("goroutine_states.debug2.txt", "dump"), file("cpu_regexp_json.pb.gz", "cpu")], "error");
    // The dump has no time, so it is the base.
    assert.equal(await text(page, "error"), "cannot compare cpu (pprof protobuf (gzipped)) with the base dump (goroutine dump (debug=2)): period types differ: cpu/nanoseconds (cpu) vs goroutine/count (dump)");

    // Another mode opens the same two files again, as a merge, which
    // cannot be either. The error is waited for by its text: the status
    // already says "error", so it cannot tell this load's end.
    const errorSays = (prefix) => page.waitForFunction((p) =>
      document.querySelector('[data-testid="error"]')?.textContent.startsWith(p), prefix);
    await page.selectOption('[data-testid="open-mode"]', "merge");
    await errorSays("cannot merge");
    assert.equal(await text(page, "error"), "cannot merge cpu: its period type cpu/nanoseconds differs from goroutine/count (dump)");

    // A broken file among several is named.
    const broken = { name: "broken.pb.gz", mimeType: "application/octet-stream", buffer: Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2]) };
    await setFiles(page, "file-input", [file("heap_mapchurn.heap.pb.gz", "one"), broken, file("heap_mapchurn.allocs.pb.gz", "two")], "error");
    await errorSays("broken.pb.gz: ");

    // And the user goes on.
    await setFiles(page, "file-input", [file("heap_mapchurn.heap.pb.gz", "one"), file("heap_mapchurn.allocs.pb.gz", "two")]);
    await page.waitForSelector('[data-testid="merged-inputs"][data-count="2"]');
  }));

test("Cancel clicked as a load ends keeps that load and its worker", () =>
  withPage(async (page) => {
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"), { name: "one" });
    await page.evaluate(() => { window.__cancelOnLoaded = true; });
    await page.setInputFiles('[data-testid="file-input"]', file("mutex_block.mutex.pb.gz", "two"));
    await page.waitForFunction(() => document.querySelector('[data-testid="file-name"]')?.textContent.includes("two"));
    await waitSettled(page, "ready");
    // The click came after the worker's answer, before the page drew it.
    assert.equal(await page.evaluate(() => window.__cancelClicked), true, "Cancel was not clicked as the load ended");
    assert.equal(await page.evaluate(() => window.__workersStarted), 2, "workers started (the worker and its helper)");
  }, {
    // Wraps the page's workers so that, when asked, Cancel is clicked right
    // after the page's handler has taken the worker's `Loaded` (postcard
    // variant 2), while the button is still drawn.
    booting: (context) => context.addInitScript(() => {
      const Real = window.Worker;
      window.__workersStarted = 0;
      window.Worker = class extends Real {
        constructor(...args) {
          super(...args);
          window.__workersStarted += 1;
        }
        set onmessage(handler) {
          super.onmessage = handler && ((ev) => {
            handler(ev);
            if (window.__cancelOnLoaded && ev.data instanceof Uint8Array && ev.data[0] === 2) {
              window.__cancelOnLoaded = false;
              const cancel = document.querySelector('[data-testid="cancel"]');
              window.__cancelClicked = !!cancel;
              cancel?.click();
            }
          });
        }
        get onmessage() {
          return super.onmessage;
        }
      };
    }),
  }));

test("cancelling a load brings the comparison back as it was", () =>
  withPage(async (page) => {
    await openPair(page, "series/leak_http.snap0.heap.pb.gz", "series/leak_http.snap2.heap.pb.gz");
    await selectCompareMode(page, "base");
    await selectSampleType(page, "inuse_space");
    // Four large files, so that the click lands well before their merge
    // ends (one of them opens in about half a second).
    const big = [1, 2, 3, 4].map((i) => file("bigheap_callgraph.heap.pb.gz", `big${i}`));
    await page.setInputFiles('[data-testid="file-input"]', big);
    const cancel = await page.waitForSelector('[data-testid="cancel"]', { timeout: 10_000 });
    await cancel.click();
    await waitSettled(page, "ready");
    // The new worker replays the open, the base and the mode, in order.
    await page.waitForSelector('[data-testid="compare-inputs"][data-mode="base"]', { timeout: 30_000 });
    await waitSettled(page, "ready");
    assert.equal(await text(page, "base-name"), "base");
    await page.click('[data-testid="tab-top"]');
    await selectSampleType(page, "inuse_space");
    const want = readFileSync(corpus("pairs/leak_http.snap2.heap.pb.gz__vs__leak_http.snap0.heap.pb.gz.base.top.inuse_space.txt"), "utf8");
    assert.equal(await downloadTop(page, null), want);
  }));
