// The page before its wasm has started (www/boot.js): index.html's copy of
// the landing is there at the first paint, reads as the app's own landing,
// and a file chosen or dropped there, or an example picked, opens once the
// app has started. The page's wasm is held back by a route until the case
// lets it go, so "before" is certain rather than a race.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { corpus, screenshot, text, waitSettled, withPage } from "./harness.mjs";
import { asToday, downloadTop } from "./report.mjs";

/// Holds the page's wasm (not the worker's) until `release()`.
function holdWasm() {
  let release;
  const released = new Promise((r) => { release = r; });
  const booting = (context) => context.route(/\/pprof-lens-[0-9a-f]+_bg\.wasm$/, async (route) => {
    await released;
    await route.continue();
  });
  return { booting, release: () => release() };
}

const landingText = (page, root) => page.$eval(`${root} .landing`, (l) => l.innerText);

/// Waits for boot.js to have run: the page can paint the landing while the
/// script is still on its way, and a drop or a click before it runs is
/// lost. (A file chosen before it runs is taken from its input.)
const bootRan = (page) => page.waitForFunction(() => window.pprofLensBootAt !== undefined);

/// Waits for the boot landing's status to match `re`: boot.js sets it when
/// it takes what was chosen, which may be after the choice.
const bootSays = (page, re) => page.waitForFunction(
  (source) => new RegExp(source).test(document.querySelector('[data-testid="boot-status"]')?.textContent ?? ""), re.source);

test("the landing is there before the wasm starts, and reads as the app's", () => {
  const hold = holdWasm();
  return withPage(async (page) => {
    await page.waitForSelector('[data-testid="boot"] .landing');
    assert.equal(await text(page, "boot-status"), "starting…");
    const before = await landingText(page, '[data-testid="boot"]');
    await screenshot(page, "boot-landing");
    hold.release();
    await page.waitForSelector('[data-testid="status"][data-worker="ready"]');
    assert.equal(await page.$('[data-testid="boot"]'), null, "the app replaced the boot landing");
    assert.equal(await landingText(page, '[data-testid="drop-zone"]'), before);
  }, { booting: hold.booting });
});

test("a file chosen before the app has started opens once it has", () => {
  const hold = holdWasm();
  // boot.js itself is held too, so the first file is chosen before it runs
  // (it takes the file from its input) and the second after (its change
  // listener takes it, in place of the first).
  let releaseScript;
  const scriptHeld = new Promise((r) => { releaseScript = r; });
  const path = corpus("cpu_regexp_json.pb.gz");
  const chosen = (name, file) => ({ name, mimeType: "application/octet-stream", buffer: readFileSync(corpus(file)) });
  return withPage(async (page) => {
    await page.setInputFiles('[data-testid="boot-file-input"]', chosen("early", "heap_mapchurn.heap.pb.gz"));
    releaseScript();
    await bootSays(page, /^early opens as soon as pprof-lens has started/);
    await page.setInputFiles('[data-testid="boot-file-input"]', chosen("unknown", "cpu_regexp_json.pb.gz"));
    await bootSays(page, /^unknown opens as soon as pprof-lens has started/);
    hold.release();
    await waitSettled(page);
    assert.equal(await text(page, "file-name"), "unknown");
    await page.click('[data-testid="tab-top"]');
    const got = await downloadTop(page);
    assert.equal(got, asToday(readFileSync(`${path}.top.cpu.txt`, "utf8"), got));
  }, {
    booting: async (context) => {
      await hold.booting(context);
      await context.route(/\/boot\.js$/, async (route) => {
        await scriptHeld;
        await route.continue();
      });
    },
  });
});

test("a file dropped before the app has started opens once it has", () => {
  const hold = holdWasm();
  const dump = readFileSync(corpus("goroutine_states.debug2.txt"), "utf8");
  return withPage(async (page) => {
    await page.waitForSelector('[data-testid="boot"]');
    await bootRan(page);
    await page.evaluate((body) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], "dump.txt"));
      document.querySelector('[data-testid="boot"] .landing').dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, dump);
    assert.match(await text(page, "boot-status"), /^dump\.txt opens/);
    hold.release();
    await waitSettled(page);
    await page.click('[data-testid="tab-goroutines"]');
    const headers = dump.split("\n").filter((l) => /^goroutine \d+ .*:$/.test(l)).length;
    assert.equal(Number(await text(page, "goroutine-total")), headers);
  }, { booting: hold.booting });
});

test("an example picked before the app has started opens once it has", () => {
  const hold = holdWasm();
  return withPage(async (page) => {
    await bootRan(page);
    await page.click('[data-boot-example="example-goroutine"]');
    assert.match(await text(page, "boot-status"), /^the goroutine dump opens/);
    hold.release();
    await waitSettled(page);
    await page.click('[data-testid="tab-goroutines"]');
    assert.equal(Number(await text(page, "goroutine-total")), 1267);
  }, { booting: hold.booting });
});
