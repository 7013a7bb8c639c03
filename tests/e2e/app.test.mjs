// The app as a user meets it: every kind of corpus file through the file
// input, the numbers pprof would print, the flame graph, the goroutine view,
// the examples, paste, broken input and hostile input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";
import { CORPUS, corpus, expectState, openFile, screenshot, text, waitSettled, withPage } from "./harness.mjs";
import { asToday, assertFlameFits, canvasInk, downloadTop, flameFit, oracleTypes, selectSampleType, statesOf } from "./report.mjs";
import { HOSTILE_NAMES, hostileProfile } from "./hostile.mjs";

// The Go 1.19 corpus, then the Go 1.27 one (paths relative to CORPUS).
const protobufs = [
  ...readdirSync(CORPUS).filter((f) => f.endsWith(".pb.gz")).sort(),
  ...readdirSync(join(CORPUS, "go1.27")).filter((f) => f.endsWith(".pb.gz")).sort().map((f) => `go1.27/${f}`),
];

for (const file of protobufs) {
  test(`${file}: top text equals go tool pprof, flame graph draws`, () =>
    withPage(async (page) => {
      await openFile(page, corpus(file));
      // Goroutine profiles open on the Goroutines tab; the table is on Top.
      await page.click('[data-testid="tab-top"]');
      const types = oracleTypes(file);
      assert.ok(types.length > 0, "every corpus profile has oracles");
      const options = await page.$$eval('[data-testid="sample-type"] option', (os) => os.map((o) => o.value));
      for (const t of types) assert.ok(options.includes(t), `sample type ${t} offered (${options})`);
      // pprof's default type first, then one other.
      const picks = [...new Set([types[types.length - 1], types[0]])];
      for (const t of picks) {
        await selectSampleType(page, t);
        const got = await downloadTop(page);
        const want = readFileSync(corpus(`${file}.top.${t}.txt`), "utf8");
        assert.equal(got, file.startsWith("go1.27/") ? want : asToday(want, got), `downloaded top text for ${t}`);
      }
      await page.waitForSelector('[data-testid="top-row"]');
      await screenshot(page, `${file.replace("/", "-")}-top`);
      await page.click('[data-testid="tab-flame"]');
      await page.waitForSelector('[data-testid="flame-canvas"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
      assert.ok((await canvasInk(page)) > 0.05, "the flame graph drew boxes");
      assertFlameFits(await page.evaluate(flameFit));
      await screenshot(page, `${file.replace("/", "-")}-flame`);
    }));
}

for (const file of ["goroutine_states.debug2.txt", "panic_orders.GOTRACEBACK_all.txt"]) {
  test(`${file}: goroutine totals and states equal the raw text`, () =>
    withPage(async (page) => {
      await openFile(page, corpus(file));
      await page.click('[data-testid="tab-goroutines"]');
      await page.waitForSelector('[data-testid="goroutine-total"]');
      const want = statesOf(corpus(file));
      const total = [...want.values()].reduce((a, b) => a + b, 0);
      assert.equal(Number(await text(page, "goroutine-total")), total);
      const rows = await page.$$eval('[data-testid="state-row"]', (rs) => rs.map((r) => [r.dataset.state, Number(r.dataset.count)]));
      assert.deepEqual(new Map(rows), want);
      const groups = await page.$$eval('[data-testid="goroutine-group"]', (gs) => gs.map((g) => Number(g.dataset.count)));
      assert.equal(groups.reduce((a, b) => a + b, 0), total, "groups add up to the total");
      assert.ok((await page.$$('[data-testid="hint"]')).length > 0, "symptom hints are shown");
      await screenshot(page, `${file}-goroutines`);
    }));
}

test("a dump cut off in the middle of a line counts its goroutines and says where", () =>
  withPage(async (page) => {
    // Cut inside the last goroutine's last file:line, as a log limit cuts.
    const whole = readFileSync(corpus("goroutine_states.debug2.txt"), "utf8");
    const cutAt = whole.lastIndexOf(".go:") + 2;
    const dir = mkdtempSync(join(tmpdir(), "pprof-lens-cut-"));
    try {
      const file = join(dir, "cut.txt");
      writeFileSync(file, whole.slice(0, cutAt));
      await openFile(page, file);
      await page.click('[data-testid="tab-goroutines"]');
      const headers = whole.split("\n").filter((l) => /^goroutine \d+ .*:$/.test(l));
      assert.equal(Number(await text(page, "goroutine-total")), headers.length);
      const line = whole.slice(0, cutAt).split("\n").length;
      const id = /^goroutine (\d+)/.exec(headers[headers.length - 1])[1];
      assert.match(await text(page, "warning"), new RegExp(`line ${line}: the dump was cut off in the middle of this line .*goroutine ${id} is counted`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test("a gzipped dump cut short opens as far as it goes and says where it stops", () =>
  withPage(async (page) => {
    // Big enough to be streamed (more than the 64 KiB read to tell the
    // format), cut partway, as an interrupted copy leaves a .txt.gz.
    const whole = readFileSync(corpus("goroutine_states.debug2.txt"));
    const gz = gzipSync(Buffer.concat([whole, whole, whole]));
    const cutAt = Math.floor(gz.length * 0.6);
    // What the cut file still holds, by another inflater.
    const held = gunzipSync(gz.subarray(0, cutAt), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString("utf8");
    const headers = held.split("\n").filter((l) => /^goroutine \d+ \[.*\]:$/.test(l)).length;
    assert.ok(headers > 0, "the cut keeps goroutines");
    const dir = mkdtempSync(join(tmpdir(), "pprof-lens-cut-"));
    try {
      const file = join(dir, "goroutines.txt.gz");
      writeFileSync(file, gz.subarray(0, cutAt));
      await openFile(page, file);
      await page.click('[data-testid="tab-goroutines"]');
      assert.equal(Number(await text(page, "goroutine-total")), headers);
      assert.match(await text(page, "warning"), new RegExp(`the gzip file is cut short at byte ${cutAt}: .*what followed it is missing`));
      await screenshot(page, "goroutines-gz-cut-short");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test("goroutine_states.debug1.txt: the grouped dump's total", () =>
  withPage(async (page) => {
    await openFile(page, corpus("goroutine_states.debug1.txt"));
    await page.click('[data-testid="tab-goroutines"]');
    const first = readFileSync(corpus("goroutine_states.debug1.txt"), "utf8").split("\n")[0];
    assert.equal(Number(await text(page, "goroutine-total")), Number(/total (\d+)/.exec(first)[1]));
  }));

test("the three built-in examples open", () =>
  withPage(async (page) => {
    const examples = [
      ["example-heap", "heap profile", "inuse_space"],
      ["example-cpu", "CPU profile", "cpu"],
      ["example-goroutine", "goroutine dump", "goroutine"],
    ];
    for (const [id, label, type] of examples) {
      await page.click(`[data-testid="${id}"]`);
      await page.waitForFunction((l) => document.querySelector('[data-testid="file-name"]')?.textContent === `example ${l}`, label);
      await waitSettled(page, "ready");
      assert.equal(await page.$eval('[data-testid="sample-type"]', (s) => s.value), type);
    }
    await screenshot(page, "example-goroutine");
  }));

test("a goroutine dump pasted from the clipboard opens", () =>
  withPage(async (page) => {
    const dump = readFileSync(corpus("panic_orders.GOTRACEBACK_all.txt"), "utf8");
    await page.evaluate((t) => {
      const data = new DataTransfer();
      data.setData("text/plain", t);
      // Firefox fills a constructed event's clipboardData from its own
      // `dataType`/`data` members and drops the one given; other engines
      // ignore those two members.
      document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, dataType: "text/plain", data: t, bubbles: true }));
    }, dump);
    await waitSettled(page, "ready");
    await page.click('[data-testid="tab-goroutines"]');
    assert.equal(Number(await text(page, "goroutine-total")), 21);
  }));

test("names from a file are text, never HTML", () =>
  withPage(async (page) => {
    const names = HOSTILE_NAMES;
    const before = page.pprofLens.requests.length;
    await page.setInputFiles('[data-testid="file-input"]', {
      name: '<img src=x onerror="window.__xss=4">.pb', mimeType: "application/octet-stream", buffer: hostileProfile(names, "<i>x.go</i>"),
    });
    await waitSettled(page, "ready");
    await page.waitForSelector('[data-testid="top-row"]');
    const rows = await page.$$eval('[data-testid="top-row"]', (rs) => rs.map((r) => r.textContent).join("\n"));
    for (const n of names) assert.ok(rows.includes(n), `${n} shown as text`);
    assert.ok((await text(page, "file-name")).includes("<img src=x"), "file name shown as text");
    await page.click('[data-testid="tab-flame"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true");
    const box = await page.$('[data-testid="flame-canvas"]');
    const bb = await box.boundingBox();
    await page.mouse.move(bb.x + 40, bb.y + 9 + 18 * 2);
    await page.waitForSelector('[data-testid="tooltip"]');
    assert.match(await text(page, "tooltip"), /<(img|script|b)/);
    await screenshot(page, "xss-flame-tooltip");
    assert.equal(await page.evaluate(() => window.__xss), undefined, "no script from the file ran");
    assert.equal(await page.$$eval("main img, main script, main b, main i", (e) => e.length), 0, "no element from the file");
    assert.equal(page.pprofLens.requests.length, before, "no request (an <img> would have fetched x)");
  }));

test("cancelling a load keeps the page usable", () =>
  withPage(async (page) => {
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"), { name: "first" });
    // Four large files, so that the click lands well before they open.
    const big = readFileSync(corpus("bigheap_callgraph.heap.pb.gz"));
    await page.setInputFiles('[data-testid="file-input"]', [1, 2, 3, 4].map((i) => ({
      name: `big${i}`, mimeType: "application/octet-stream", buffer: big,
    })));
    await page.click('[data-testid="cancel"]', { timeout: 10_000 });
    await waitSettled(page, "ready");
    assert.equal(await text(page, "file-name"), "first");
    assert.equal(await page.$eval('[data-testid="sample-type"]', (s) => s.value), "inuse_space");
  }));

/// An init script that lets a case fail the page's worker as a trap would:
/// `__failWorker()` makes the page deaf to the running worker and fires an
/// error event at it; `__deafen()` makes the page deaf to it without
/// failing it, so that loads queue behind one that never ends; with
/// `__failOnNextPost` set, the worker fails so as
/// the page next posts it a message; with `__failNextWorker` set, the next
/// worker started fails as soon as it starts. Workers are counted
/// (`__workersStarted`, the helpers with them).
const failingWorkers = (context) => context.addInitScript(() => {
  const Real = window.Worker;
  window.__workersStarted = 0;
  let current = null;
  const fail = (w) => {
    w.__deaf = true;
    w.dispatchEvent(new ErrorEvent("error", { message: "the worker fails, as a test asks" }));
  };
  window.__failWorker = () => fail(current);
  window.__deafen = () => { current.__deaf = true; };
  window.Worker = class extends Real {
    constructor(url, options) {
      super(url, options);
      window.__workersStarted += 1;
      if (options?.name) return; // the helper
      current = this;
      if (window.__failNextWorker) {
        window.__failNextWorker = false;
        setTimeout(() => fail(this));
      }
    }
    postMessage(...args) {
      super.postMessage(...args);
      if (this === current && window.__failOnNextPost) {
        window.__failOnNextPost = false;
        fail(this);
      }
    }
    set onmessage(handler) {
      super.onmessage = handler && ((ev) => { if (!this.__deaf) handler(ev); });
    }
    get onmessage() {
      return super.onmessage;
    }
  };
});

const startedWorkers = (page) => page.evaluate(() => window.__workersStarted);
const profileFile = (name, path) => ({ name, mimeType: "application/octet-stream", buffer: readFileSync(corpus(path)) });

test("a worker that fails is replaced, and the profile shown before stays usable", () =>
  withPage(async (page) => {
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"), { name: "first" });
    assert.equal(await startedWorkers(page), 2, "the worker and its helper");
    // The worker fails as the second file is sent to it.
    await page.evaluate(() => {
      window.__failOnNextPost = true;
      // What the status line says while the error is in view.
      window.__statusWithError = [];
      new MutationObserver(() => {
        const status = document.querySelector('[data-testid="status"]');
        if (document.querySelector('[data-testid="error"]') && status) {
          const seen = `${status.dataset.state}: ${status.textContent}`;
          if (window.__statusWithError.at(-1) !== seen) window.__statusWithError.push(seen);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.setInputFiles('[data-testid="file-input"]', profileFile("second", "mutex_block.mutex.pb.gz"));
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]')?.textContent.includes("the worker stopped"));
    // A new worker opens the first file again; the error stays in view.
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === "ready", null, { timeout: 30_000 });
    assert.equal(await text(page, "file-name"), "first");
    assert.equal(await text(page, "error"), "the worker stopped while loading second (out of memory?); first is open again");
    assert.equal(await startedWorkers(page), 4, "one new worker and its helper");
    // While the new worker opened it, the status line said so.
    const statuses = await page.evaluate(() => window.__statusWithError);
    assert.ok(statuses.some((t) => /^loading: .*first/.test(t)), `${statuses}`);
    assert.match(statuses.at(-1), /^ready/);
    await page.click('[data-testid="tab-top"]');
    await page.waitForSelector('[data-testid="top-row"]');
    assert.match(await text(page, "top-header"), /Type: inuse_space/);
    await screenshot(page, "worker-failed-profile-kept");
    // And the next file opens in it.
    await page.setInputFiles('[data-testid="file-input"]', profileFile("second", "mutex_block.mutex.pb.gz"));
    await page.waitForFunction(() => document.querySelector('[data-testid="file-name"]')?.textContent === "second", null, { timeout: 30_000 });
    await waitSettled(page, "ready");
    assert.equal(await startedWorkers(page), 4);
  }, { booting: failingWorkers }));

test("a worker that fails names the loads queued behind the one it was running", () =>
  withPage(async (page) => {
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"), { name: "first" });
    // Three files opened one after another while the worker seems busy
    // (the page hears nothing from it), then it fails.
    await page.evaluate(() => window.__deafen());
    for (const name of ["second", "third", "fourth"]) {
      await page.setInputFiles('[data-testid="file-input"]', profileFile(name, "mutex_block.mutex.pb.gz"));
      await page.waitForFunction((n) => document.querySelector('[data-testid="status"]')?.textContent.includes(n), name);
    }
    await page.evaluate(() => window.__failWorker());
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]')?.textContent.includes("the worker stopped"));
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === "ready", null, { timeout: 30_000 });
    assert.equal(await text(page, "error"),
      "the worker stopped while loading second (out of memory?); third and fourth were not loaded; first is open again");
    assert.equal(await text(page, "file-name"), "first");
    await screenshot(page, "worker-failed-queue-named");
    // A dropped file opens when it is opened again.
    await page.setInputFiles('[data-testid="file-input"]', profileFile("third", "mutex_block.mutex.pb.gz"));
    await page.waitForFunction(() => document.querySelector('[data-testid="file-name"]')?.textContent === "third", null, { timeout: 30_000 });
    await waitSettled(page, "ready");
  }, { booting: failingWorkers }));

test("a worker that fails again before a new load starts no other", () =>
  withPage(async (page) => {
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
    await openFile(page, corpus("heap_mapchurn.heap.pb.gz"), { name: "first" });
    // The worker fails while idle, and so does the one that replaces it.
    await page.evaluate(() => { window.__failNextWorker = true; window.__failWorker(); });
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]')?.textContent.includes("again"), null, { timeout: 30_000 });
    assert.equal(await text(page, "error"), "the worker stopped again while loading first (out of memory?): open a file to go on");
    await page.waitForTimeout(1_000);
    assert.equal(await startedWorkers(page), 4, "the first worker's replacement only");
    // The next load starts a worker, and opens.
    await page.setInputFiles('[data-testid="file-input"]', profileFile("second", "mutex_block.mutex.pb.gz"));
    await page.waitForFunction(() => document.querySelector('[data-testid="file-name"]')?.textContent === "second", null, { timeout: 30_000 });
    await waitSettled(page, "ready");
    assert.equal(await startedWorkers(page), 6);
  }, { booting: failingWorkers }));

// Legacy text profiles (debug=1) of the same processes as the protobuf ones:
// the total of each sample type must equal pprof's total for the protobuf.
const legacy = [
  ["heap_mapchurn.heap.debug1.txt", "heap_mapchurn.heap.pb.gz", ["inuse_space", "alloc_objects"]],
  ["mutex_block.mutex.debug1.txt", "mutex_block.mutex.pb.gz", ["delay", "contentions"]],
  ["mutex_block.block.debug1.txt", "mutex_block.block.pb.gz", ["delay", "contentions"]],
  ["threadcreate_syscalls.debug1.txt", "threadcreate_syscalls.pb.gz", ["threadcreate"]],
];
for (const [file, twin, types] of legacy) {
  test(`${file}: legacy text opens with pprof's totals`, () =>
    withPage(async (page) => {
      await openFile(page, corpus(file));
      await page.click('[data-testid="tab-top"]');
      for (const t of types) {
        await selectSampleType(page, t);
        const header = await text(page, "top-header");
        const want = /of (\S+) total/.exec(readFileSync(corpus(`${twin}.top.${t}.txt`), "utf8"))[1];
        assert.match(header, new RegExp(`of ${want.replace(/[.]/g, "\\.")} total`), `${t} total`);
      }
      await page.waitForSelector('[data-testid="top-row"]');
    }));
}
