// Offline use. The single-file build, as a user on an air-gapped machine
// meets it: dist/pprof-lens.html copied into an empty folder and opened from
// file://, with every request that is not for the file itself aborted
// (withPage's `file` option) and then asserted absent. And the hosted site
// once the network is gone, kept by its service worker, and how it picks up
// a new deployment.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../../tools/static-server.mjs";
import { writeServiceWorker } from "../../tools/service-worker.mjs";
import { DIST, ENGINE, corpus, expectUnbuilt, noWasmCompiles, openFile, screenshot, serviceWorkerInControl, text, trapInPage, withPage } from "./harness.mjs";
import { canvasInk, downloadTop, oracleTypes, selectSampleType } from "./report.mjs";

let dir;
let file;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "pprof-lens-offline-"));
  file = join(dir, "pprof-lens.html");
  copyFileSync(join(DIST, "pprof-lens.html"), file);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the single file is within its 800 KB budget", () => {
  const size = statSync(file).size;
  assert.ok(size <= 800_000, `${size} bytes`);
});

test("the single file opens from file:// and its three examples open", () =>
  withPage(async (page) => {
    assert.equal(await page.$('[data-testid="download-offline"]'), null, "no download link in the file itself");
    await screenshot(page, "single-file-landing");
    for (const [id, tab] of [["example-heap", "tab-top"], ["example-cpu", "tab-top"], ["example-goroutine", "tab-goroutines"]]) {
      await page.click(`[data-testid="${id}"]`);
      await page.waitForSelector(`[data-testid="${tab}"]`);
      await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === "ready");
    }
    await page.click('[data-testid="tab-goroutines"]');
    assert.equal(Number(await text(page, "goroutine-total")), 1267);
    await screenshot(page, "single-file-example-goroutines");
  }, { file }));

for (const [path, type] of [["cpu_regexp_json.pb.gz", "cpu"], ["heap_mapchurn.heap.pb.gz", "inuse_space"]]) {
  test(`single file: ${path} top text equals pprof's, the flame graph draws`, () =>
    withPage(async (page) => {
      await openFile(page, corpus(path));
      assert.ok(oracleTypes(path).includes(type));
      await page.click('[data-testid="tab-top"]');
      await selectSampleType(page, type);
      const got = await downloadTop(page);
      const want = readFileSync(corpus(`${path}.top.${type}.txt`), "utf8");
      // The Go 1.19 oracles print an older Time: line; the table must match.
      const table = (t) => t.split("\n").filter((l) => !l.startsWith("Time: ")).join("\n");
      assert.equal(table(got), table(want));
      await page.click('[data-testid="tab-flame"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
      assert.ok((await canvasInk(page)) > 0.05, "the flame graph drew boxes");
      await screenshot(page, `single-file-${path}-flame`);
    }, { file }));
}

test("single file: a goroutine dump opens through the file input", () =>
  withPage(async (page) => {
    await openFile(page, corpus("goroutine_states.debug2.txt"));
    await page.click('[data-testid="tab-goroutines"]');
    const headers = readFileSync(corpus("goroutine_states.debug2.txt"), "utf8")
      .split("\n").filter((l) => /^goroutine \d+ .*:$/.test(l)).length;
    assert.equal(Number(await text(page, "goroutine-total")), headers);
  }, { file }));

test("single file: a trap in the page's wasm shows the banner", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    const message = await trapInPage(page, "oob");
    assert.match(await text(page, "page-stopped"), /^pprof-lens stopped: its WebAssembly code failed/);
    assert.ok((await text(page, "page-stopped")).includes(message));
  }, { file }));

test("single file: a browser that cannot compile its wasm is told so", () =>
  withPage(async (page) => {
    await expectUnbuilt(page);
  }, { file, booting: noWasmCompiles }));

test("the hosted site links to the single file", () =>
  withPage(async (page) => {
    const href = await page.getAttribute('[data-testid="download-offline"]', "href");
    assert.equal(href, "pprof-lens.html");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="download-offline"] >> nth=0')]);
    assert.equal(download.suggestedFilename(), "pprof-lens.html");
    assert.deepEqual(readFileSync(await download.path()), readFileSync(join(DIST, "pprof-lens.html")));
  }));

/// The top table of pprof's text, without the `Time:` line (the Go 1.19
/// oracles print an older form of it).
const table = (t) => t.split("\n").filter((l) => !l.startsWith("Time: ")).join("\n");

// Firefox's offline emulation (BiDi) fails navigations with NS_ERROR_OFFLINE
// before the service worker sees them, which a real lost network does not.
const offlineEmulation = ENGINE === "firefox" && "Firefox's emulated offline mode bypasses the service worker";

test("the hosted site opens and works with the network gone once visited", { skip: offlineEmulation }, () =>
  withPage(async (page, context) => {
    await context.setOffline(true);
    try {
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
      await openFile(page, corpus("cpu_regexp_json.pb.gz"));
      await page.click('[data-testid="tab-top"]');
      await selectSampleType(page, "cpu");
      const want = readFileSync(corpus("cpu_regexp_json.pb.gz.top.cpu.txt"), "utf8");
      assert.equal(table(await downloadTop(page)), table(want));
      await screenshot(page, "hosted-offline-top");
    } finally {
      await context.setOffline(false);
    }
  }));

test("a new deployment replaces the cached site on the next visit, with a notice", async () => {
  const site = mkdtempSync(join(tmpdir(), "pprof-lens-site-"));
  cpSync(DIST, site, { recursive: true });
  const { server, url } = await serve({ dir: site, port: 0, base: "/pprof-lens/" });
  try {
    await withPage(async (page, context) => {
      const failed = [];
      context.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
      context.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.url()}: HTTP ${r.status()}`); });
      // The next deployment: a visible change (the title), so a new version.
      const index = join(site, "index.html");
      writeFileSync(index, readFileSync(index, "utf8").replace("<title>pprof-lens</title>", "<title>pprof-lens, new build</title>"));
      writeServiceWorker(site);
      await page.goto(url, { waitUntil: "load" });
      await page.waitForFunction(() => document.title === "pprof-lens, new build", null, { timeout: 30_000 });
      await page.waitForSelector('[data-testid="status"][data-worker="ready"]', { timeout: 30_000 });
      await serviceWorkerInControl(page);
      assert.equal(await page.getAttribute('[data-testid="updated"]', "data-update"), "done");
      await screenshot(page, "hosted-updated");
      await openFile(page, corpus("goroutine_states.debug2.txt"));
      assert.deepEqual(failed, [], "no request failed during the update");
    }, { url });
  } finally {
    server.close();
    rmSync(site, { recursive: true, force: true });
  }
});
