// The export buttons through the file input: each download is named after
// the opened file, and holds what the page shows. The flame graph's SVG is
// parsed by the browser and names the functions the canvas shows (read
// from its tooltip); the PNG is a real PNG of the canvas at the screen's
// pixel ratio; the TSV has one line per top row with the row's numbers, and
// the CSV parses back to the same; the Markdown's totals are the goroutine
// view's. Firefox fires no download event for a blob: link: there the file
// is read from the blob the page's link points at (report.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ENGINE, OUTPUT, corpus, openFile, screenshot, withPage } from "./harness.mjs";
import { downloadFile } from "./report.mjs";

const drawn = (page) => page.waitForFunction(
  () => document.querySelector('[data-testid="flame-canvas"]')?.dataset.drawn === "true", null, { timeout: 30_000 });

/// The names of the boxes at the canvas's left edge, row by row, as its
/// tooltip gives them.
async function leftNames(page, rows) {
  const bb = await (await page.$('[data-testid="flame-canvas"]')).boundingBox();
  const names = [];
  for (let row = 0; row < rows; row++) {
    await page.mouse.move(bb.x + 3, bb.y + 9 + 18 * row);
    await page.waitForSelector('[data-testid="tooltip"]');
    names.push(await page.textContent('[data-testid="tooltip"] .tt-name'));
  }
  await page.mouse.move(0, 0);
  return names;
}

test("the flame graph's SVG parses and holds the names it shows as text", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"), { name: "cpu.pb.gz" });
    await page.click('[data-testid="tab-flame"]');
    await drawn(page);
    const names = await leftNames(page, 6);
    const svg = await downloadFile(page, '[data-testid="export-svg"]', "cpu.flame.svg");
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(join(OUTPUT, `export-flame.${ENGINE}.svg`), svg);
    const got = await page.evaluate((svg) => {
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      const groups = [...doc.querySelectorAll("g")].map((g) => ({
        title: g.querySelector("title")?.textContent ?? "",
        text: g.querySelector("text")?.textContent ?? null,
      }));
      return {
        error: doc.querySelector("parsererror")?.textContent ?? null,
        root: doc.documentElement.localName,
        width: Number(doc.documentElement.getAttribute("width")),
        texts: [...doc.querySelectorAll("text")].map((t) => t.textContent),
        groups,
        external: [...doc.querySelectorAll("*")].filter((e) => e.hasAttribute("href") || e.hasAttribute("xlink:href")).length,
      };
    }, svg);
    assert.equal(got.error, null, "the SVG parses");
    assert.equal(got.root, "svg");
    const canvasWidth = await page.$eval('[data-testid="flame-canvas"]', (c) => c.clientWidth);
    assert.equal(got.width, canvasWidth);
    assert.equal(got.external, 0, "self-contained");
    assert.ok(got.texts.length > 20, `${got.texts.length} labels`);
    // The full-width rows at the top carry their whole names as text; every
    // box under the pointer has its group, whose label is part of its name.
    assert.ok(got.texts.includes(names[1]), `${names[1]} in the SVG's text`);
    for (const name of names) {
      const g = got.groups.find((g) => g.title.split("\n")[0] === name);
      assert.ok(g, `a box titled ${name}`);
      assert.ok(g.text !== null && name.includes(g.text.replace(/…$/, "")), `${name}'s label ${g.text}`);
    }
  }));

test("the flame graph's PNG is the canvas at the screen's pixel ratio", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz"), { name: "cpu.pb.gz" });
    await page.click('[data-testid="tab-flame"]');
    await drawn(page);
    const png = await downloadFile(page, '[data-testid="export-png"]', "cpu.flame.png", { binary: true });
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
    assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const want = await page.$eval('[data-testid="flame-canvas"]', (c) => {
      const r = c.getBoundingClientRect();
      return { w: Math.round(r.width * devicePixelRatio), h: Math.round(r.height * devicePixelRatio), dpr: devicePixelRatio };
    });
    assert.equal(want.dpr, 2);
    assert.deepEqual([w, h], [want.w, want.h], `PNG ${w}x${h} at dpr ${want.dpr}`);
  }, { deviceScaleFactor: 2 }));

/// The rows the top table shows: the five numbers and the name.
const topRows = (page) => page.$$eval('[data-testid="top-row"]', (rows) =>
  rows.map((r) => [...r.querySelectorAll(".num"), r.querySelector(".name")].map((e) => e.textContent)));

/// RFC 4180: quoted fields may hold commas, CRLF and doubled quotes.
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") { record.push(field); field = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { record.push(field); records.push(record); record = []; field = ""; i++; }
    else field += c;
  }
  assert.equal(field + record.join(""), "", "the last record ends in CRLF");
  return records;
}

async function checkTopExports(page, stem) {
  await page.waitForSelector('[data-testid="top-row"]');
  const shown = await topRows(page);
  // aria-rowcount counts the header row too.
  const count = Number(await page.getAttribute('[data-testid="top-table"]', "aria-rowcount")) - 1;
  const tsv = await downloadFile(page, '[data-testid="export-tsv"]', `${stem}.top.tsv`);
  const lines = tsv.split("\n");
  assert.equal(lines.pop(), "", "ends with a line break");
  assert.equal(lines[0], "flat\tflat%\tsum%\tcum\tcum%\tname");
  assert.equal(lines.length, count + 1, "a header, then one line per top row");
  const rows = lines.slice(1).map((l) => l.split("\t"));
  assert.ok(shown.length > 5);
  assert.deepEqual(rows.slice(0, shown.length), shown, "the numbers of the table");
  const csv = parseCsv(await downloadFile(page, '[data-testid="export-csv"]', `${stem}.top.csv`));
  assert.deepEqual(csv, lines.map((l) => l.split("\t")), "the CSV reads back as the TSV");
  return rows;
}

test("the top table's TSV and CSV hold every row with the table's numbers", () =>
  withPage(async (page) => {
    await openFile(page, corpus("bigheap_callgraph.heap.pb.gz"), { name: "heap.pb.gz" });
    await checkTopExports(page, "heap");
    // Filtered and sorted by cum: the rows as shown.
    await page.click('[data-testid="sort-cum"]');
    await page.fill('[data-testid="top-filter"]', "main\\.f00");
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="top-row"] .name')].every((e) => e.textContent.includes("main.f00")));
    const rows = await checkTopExports(page, "heap");
    assert.ok(rows.every((r) => r[5].includes("main.f00")));
    assert.ok(rows.length < 200, `${rows.length} rows`);
  }));

test("a pasted pprof top exports its printed rows", () =>
  withPage(async (page) => {
    await openFile(page, corpus("cpu_regexp_json.pb.gz.top.cpu.txt"), { name: "top.txt" });
    await checkTopExports(page, "top");
  }));

test("the goroutine Markdown's totals are the goroutine view's", () =>
  withPage(async (page) => {
    await openFile(page, corpus("goroutine_states.debug2.txt"), { name: "dump.txt" });
    await page.click('[data-testid="tab-goroutines"]');
    await page.waitForSelector('[data-testid="goroutine-total"]');
    const md = await downloadFile(page, '[data-testid="export-markdown"]', "dump.goroutines.md");
    const total = Number(await page.textContent('[data-testid="goroutine-total"]'));
    const digits = (s) => Number(s.replace(/[,|\s]/g, ""));
    assert.equal(digits(/\*\*([\d,]+) goroutines\*\*/.exec(md)[1]), total);
    const states = await page.$$eval('[data-testid="state-row"]', (rs) => rs.map((r) => [r.dataset.state, Number(r.dataset.count)]));
    const lines = md.split("\n");
    const stateRows = lines.slice(lines.indexOf("| state | goroutines |") + 2).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith("|")));
    assert.deepEqual(stateRows.map((l) => { const c = l.split(" | "); return [c[0].slice(2), digits(c[1])]; }), states);
    const groups = await page.$$eval('[data-testid="goroutine-group"]', (gs) => gs.map((g) => Number(g.dataset.count)));
    const mdGroups = lines.slice(lines.findIndex((l) => l.startsWith("| # |")) + 2).filter((l) => l.startsWith("|")).map((l) => digits(l.split(" | ")[1]));
    assert.deepEqual(mdGroups.slice(0, groups.length), groups);
    assert.equal(mdGroups.reduce((a, b) => a + b, 0), total);
    await screenshot(page, "export-goroutines");
  }));
