// The sandwich and bottom-up tabs through the file input. The sandwich's
// caller and callee rows are compared with `go tool pprof -peek` oracles
// (tests/data/peek, Go 1.27's pprof): names, the edge weights as pprof
// prints them (data-cum) and the `(inline)` marks, and the function's own
// flat and cum. The bottom-up graph must draw, and its leftmost root must
// be the function with the largest flat value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, corpus, openFile, screenshot, withPage } from "./harness.mjs";

const PEEK = join(ROOT, "tests/data/peek");
const SEPARATOR = "----------------------------------------------------------+-------------";

/// The blocks of a -peek oracle: per function, its figures and its caller
/// and callee lines as [name, weight, inline].
function peek(file) {
  const lines = readFileSync(join(PEEK, file), "utf8").split("\n");
  const regex = lines[0].replace("# regex: ", "");
  const profile = lines[1].split(" ").pop();
  const blocks = [];
  let cur = null;
  let pending = [];
  const start = lines.findIndex((l) => l.includes("calls% + context")) + 1;
  for (const line of lines.slice(start)) {
    if (!line) continue;
    if (line === SEPARATOR) {
      if (cur) blocks.push(cur);
      cur = null;
      pending = [];
      continue;
    }
    const bar = line.indexOf("|");
    const left = line.slice(0, bar).trim().split(/\s+/);
    const right = line.slice(bar + 1);
    if (right.startsWith("   ")) {
      let name = right.slice(3);
      const inline = name.endsWith(" (inline)");
      if (inline) name = name.slice(0, -" (inline)".length);
      const edge = [name, left[0], inline];
      if (cur) cur.callees.push(edge);
      else pending.push(edge);
    } else {
      cur = { name: right.slice(1), flat: left[0], cum: left[3], callers: pending, callees: [] };
      pending = [];
    }
  }
  if (cur) blocks.push(cur);
  return { regex, profile, blocks };
}

async function rows(page, side) {
  return page.$$eval(`[data-testid="sandwich-${side}"] [data-testid="sandwich-row"]`, (rs) =>
    rs.map((r) => [r.dataset.name, r.dataset.cum, r.dataset.inline === "true"]));
}

/// Types `name` into the function box, presses Enter, waits for its sandwich.
async function pick(page, name) {
  await page.fill('[data-testid="sandwich-function"]', name);
  await page.press('[data-testid="sandwich-function"]', "Enter");
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="sandwich-self"]')?.dataset.name === n, name, { timeout: 30_000 });
}

async function checkBlock(page, b, label) {
  const self = await page.$eval('[data-testid="sandwich-self"]', (e) => [e.dataset.flat, e.dataset.cum]);
  assert.deepEqual(self, [b.flat, b.cum], `${label}: flat and cum`);
  assert.deepEqual(await rows(page, "callers"), b.callers, `${label}: callers`);
  assert.deepEqual(await rows(page, "callees"), b.callees, `${label}: callees`);
}

const ORACLES = readdirSync(PEEK).filter((f) => f.endsWith(".peek.txt")).sort();

test("sandwich rows equal go tool pprof -peek for every oracle", () =>
  withPage(async (page) => {
    assert.ok(ORACLES.length >= 10);
    let opened = null;
    let functions = 0;
    for (const file of ORACLES) {
      const o = peek(file);
      if (opened !== o.profile) {
        await openFile(page, corpus(o.profile));
        await page.click('[data-testid="tab-sandwich"]');
        opened = o.profile;
      }
      for (const b of o.blocks) {
        await pick(page, b.name);
        await checkBlock(page, b, `${file} ${b.name}`);
        functions++;
      }
    }
    assert.ok(functions >= 30, `${functions} functions`);
  }));

test("a top table row opens its sandwich; a caller row moves to the caller", () =>
  withPage(async (page) => {
    const o = peek("cpu_regexp_json.1.peek.txt");
    const b = o.blocks[0];
    await openFile(page, corpus(o.profile));
    await page.fill('[data-testid="top-filter"]', "doExecute");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="top-row"]').length === 1);
    await page.click('[data-testid="top-row"] [data-testid="row-sandwich"]');
    await page.waitForSelector('[data-testid="sandwich-self"]');
    assert.equal(await page.$eval('[aria-selected="true"]', (e) => e.dataset.testid), "tab-sandwich");
    assert.equal(await page.inputValue('[data-testid="sandwich-function"]'), b.name);
    await checkBlock(page, b, "from the top table");
    await page.waitForFunction(() => [...document.querySelectorAll(".sandwich-half canvas")].every((c) => c.dataset.drawn === "true"));
    await screenshot(page, "sandwich-light");
    // A regex matching several functions shows the one with the largest cum.
    await page.fill('[data-testid="sandwich-function"]', "Regexp\\)\\.(doExecute|backtrack)$");
    await page.press('[data-testid="sandwich-function"]', "Enter");
    await page.waitForSelector('[data-testid="sandwich-note"]');
    assert.match(await page.textContent('[data-testid="sandwich-note"]'), /^2 functions match; showing regexp\.\(\*Regexp\)\.doExecute/);
    await page.fill('[data-testid="sandwich-function"]', "^nothing-like-this$");
    await page.press('[data-testid="sandwich-function"]', "Enter");
    await page.waitForSelector('[data-testid="sandwich-error"]');
    assert.match(await page.textContent('[data-testid="sandwich-error"]'), /no function matches/);
    assert.equal(await page.$('[data-testid="sandwich-self"]'), null, "no stale sandwich beside the error");
    await pick(page, b.name);
    await page.click(`[data-testid="sandwich-callers"] [data-testid="sandwich-row"][data-name="${b.callers[0][0]}"]`);
    await page.waitForFunction((n) => document.querySelector('[data-testid="sandwich-self"]')?.dataset.name === n, b.callers[0][0]);
  }));

test("sandwich in dark", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    await page.click('[data-testid="tab-sandwich"]');
    await pick(page, "runtime.mallocgc");
    await page.waitForFunction(() => [...document.querySelectorAll(".sandwich-half canvas")].every((c) => c.dataset.drawn === "true"));
    await screenshot(page, "sandwich-dark");
  }, { colorScheme: "dark" }));

for (const colorScheme of ["light", "dark"]) {
  test(`bottom-up draws, its first root is the largest flat (${colorScheme})`, () =>
    withPage(async (page) => {
      await openFile(page, corpus("cpu_regexp_json.pb.gz"));
      await page.waitForSelector('[data-testid="top-row"]');
      const first = await page.$eval('[data-testid="top-row"] .name', (e) => e.textContent);
      await page.click('[data-testid="tab-bottom-up"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });
      const ink = await page.$eval('[data-testid="flame-canvas"]', (c) => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
        return colours.size;
      });
      assert.ok(ink > 5, `${ink} colours on the canvas`);
      const bb = await (await page.$('[data-testid="flame-canvas"]')).boundingBox();
      await page.mouse.move(bb.x + 6, bb.y + 9 + 18);
      await page.waitForSelector('[data-testid="tooltip"]');
      const name = await page.textContent('[data-testid="tooltip"] .tt-name');
      assert.equal(name, first.replace(/ \((partial-)?inline\)$/, ""));
      await screenshot(page, `bottom-up-${colorScheme}`);
    }, { colorScheme }));
}

for (const colorScheme of ["light", "dark"]) {
  test(`the callers grow upward from the function at the bottom edge (${colorScheme})`, () =>
    withPage(async (page) => {
      await openFile(page, corpus("cpu_regexp_json.pb.gz"));
      await page.click('[data-testid="tab-sandwich"]');
      await pick(page, "regexp.(*Regexp).doExecute");
      await page.waitForFunction(() => [...document.querySelectorAll(".sandwich-half canvas")].every((c) => c.dataset.drawn === "true"));
      const [callers, callees] = await page.$$(".sandwich-half canvas");
      const hover = async (canvas, x, y) => {
        await canvas.scrollIntoViewIfNeeded();
        const bb = await canvas.boundingBox();
        await page.mouse.move(bb.x + x, bb.y + (y < 0 ? bb.height + y : y));
        await page.waitForSelector('[data-testid="tooltip"]');
        return page.textContent('[data-testid="tooltip"] .tt-name');
      };
      // Above the root (the whole width), the function is the callers
      // graph's bottom row and the callees' top one; its first caller sits
      // right above it.
      const callerRows = await rows(page, "callers");
      assert.equal(await hover(callers, 3, -27), "regexp.(*Regexp).doExecute");
      assert.equal(await hover(callers, 3, -45), callerRows[0][0]);
      assert.equal(await hover(callees, 3, 27), "regexp.(*Regexp).doExecute");
      // A click on the caller zooms to it: it then spans the width (20px
      // from the right edge is another caller before, and clear of
      // Firefox's overlay scrollbar).
      await callers.scrollIntoViewIfNeeded();
      const bb = await callers.boundingBox();
      assert.notEqual(await hover(callers, bb.width - 20, -45), callerRows[0][0]);
      await page.mouse.click(bb.x + 3, bb.y + bb.height - 45);
      await page.waitForFunction(() => document.querySelectorAll(".sandwich-half .crumb").length > 1);
      await page.mouse.move(0, 0);
      assert.equal(await hover(callers, bb.width - 20, -45), callerRows[0][0]);
      await screenshot(page, `sandwich-inverted-${colorScheme}`);
    }, { colorScheme }));
}
