// The single file on WebKit, as ../offline.test.mjs checks it on the other
// engines: dist/pprof-lens.html copied into an empty folder and opened from
// file://, its worker started, and what choosing a file there does.
//
// WebDriver classic can neither block nor list requests. A file:// page has
// no server to count at, so what the page fetched is read from its resource
// timing entries (the page's own fetches; its worker's are not listed there).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { logSkip } from "../engines.mjs";
import { DIST, corpus } from "../harness.mjs";
import { oracleTypes } from "../report.mjs";
import { downloadTop, expectInk, expectSettled, flameDrawn, openFile, screenshot, selectSampleType, text, webkitSite, withSession } from "./page.mjs";

const site = webkitSite();
let dir, file;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "pprof-lens-offline-"));
  file = join(dir, "pprof-lens.html");
  copyFileSync(join(DIST, "pprof-lens.html"), file);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/// Runs `fn` on the single file, then checks that the page fetched nothing
/// but itself and the blobs it made.
const onFile = (fn) => withSession(site, async (s) => {
  await fn(s);
  logSkip("webkit", "WebDriver cannot see requests on file://; the page's resource timing entries are checked (not its worker's)");
  const self = pathToFileURL(file).href;
  const fetched = await s.run(() => performance.getEntriesByType("resource").map((e) => e.name));
  assert.deepEqual(fetched.filter((u) => u !== self && !u.startsWith("blob:") && !u.startsWith("data:")), [], "the single file fetched");
}, { file });

// WebKitGTK reads no Blob inside a worker started from a file:// page
// (FileReaderSync, Blob.arrayBuffer() and Blob.stream() fail with
// NotReadableError), so there the worker says so when it starts and the page
// sends each file's bytes instead: these cases check that path.
test("webkit: the single file opens from file:// and its three examples open", () =>
  onFile(async (s) => {
    assert.equal(await s.run(() => document.querySelector('[data-testid="download-offline"]')), null, "no download link in the file itself");
    assert.equal(await s.run(() => document.querySelector('[data-testid="status"]').dataset.state), "idle");
    await screenshot(s, "single-file-landing");
    for (const [id, tab] of [["example-heap", "tab-top"], ["example-cpu", "tab-top"], ["example-goroutine", "tab-goroutines"]]) {
      await s.click(`[data-testid="${id}"]`);
      await expectSettled(s, "ready", id);
      assert.ok(await s.run((t) => !!document.querySelector(`[data-testid="${t}"]`), tab), `${id} shows ${tab}`);
    }
    await s.click('[data-testid="tab-goroutines"]');
    assert.equal(Number(await text(s, "goroutine-total")), 1267);
    await screenshot(s, "single-file-example-goroutines");
  }));

for (const [path, type] of [["cpu_regexp_json.pb.gz", "cpu"], ["heap_mapchurn.heap.pb.gz", "inuse_space"]]) {
  test(`webkit: single file: ${path} top text equals pprof's, the flame graph draws`, () =>
    onFile(async (s) => {
      await openFile(s, corpus(path));
      assert.ok(oracleTypes(path).includes(type));
      await s.click('[data-testid="tab-top"]');
      await selectSampleType(s, type);
      const want = readFileSync(corpus(`${path}.top.${type}.txt`), "utf8");
      assert.equal(table(await downloadTop(s)), table(want));
      await flameDrawn(s);
      await expectInk(s);
      await screenshot(s, `single-file-${path}-flame`);
    }));
}

test("webkit: single file: a goroutine dump opens through the file input", () =>
  onFile(async (s) => {
    const path = corpus("goroutine_states.debug2.txt");
    await openFile(s, path);
    await s.click('[data-testid="tab-goroutines"]');
    const headers = readFileSync(path, "utf8").split("\n").filter((l) => /^goroutine \d+ .*:$/.test(l)).length;
    assert.equal(Number(await text(s, "goroutine-total")), headers);
  }));

/// The top table of pprof's text, without the `Time:` line (the Go 1.19
/// oracles print an older form of it).
const table = (t) => t.split("\n").filter((l) => !l.startsWith("Time: ")).join("\n");

test("webkit: the hosted site links to the single file", () =>
  withSession(site, async (s) => {
    assert.equal(await s.run(() => document.querySelector('[data-testid="download-offline"]')?.getAttribute("href")), "pprof-lens.html");
    logSkip("webkit", "WebDriver has no download event: the single file's link is checked by its href only");
  }));
