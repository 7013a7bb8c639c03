// WCAG AA contrast over the rendered pages, light and dark: every visible
// element with text of its own gets the contrast ratio of its computed
// colour against its effective background (its own and its ancestors'
// backgrounds composited from the first opaque one up, the text's alpha and
// the ancestors' opacity applied), and must reach 4.5, or 3 for large text
// (24px, or 18.66px bold). Background images (the top table's share bars,
// 18% tints) and absolutely placed siblings under the text are not seen;
// disabled controls are exempt, as WCAG exempts them. Canvas labels are
// checked natively (tests/flame_contrast.rs). Also: the top table and the
// goroutine tables are real tables with column headers for screen readers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { corpus, openFile, withPage } from "./harness.mjs";

/// Runs in the page: the failing text elements, as strings.
function lowContrast() {
  const parse = (c) => {
    let m = c.match(/^rgba?\(([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = c.match(/^color\(srgb ([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s/]+/).filter(Boolean).map(parseFloat);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const lum = (c) => {
    const ch = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)]; return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const page = parse(getComputedStyle(document.body).backgroundColor) ?? [255, 255, 255, 1];
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : over(page, [255, 255, 255, 1]);
    while (layers.length) bg = over(layers.pop(), bg);
    return bg;
  };
  const opacity = (el) => { let o = 1; for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; };
  const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""}`;
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "OPTION", "CANVAS", "NOSCRIPT", "TITLE"].includes(el.tagName) || el.closest("svg")) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest(":disabled")) continue;
    const st = getComputedStyle(el);
    if (st.visibility !== "visible" || st.display === "none" || !el.getClientRects().length) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const bg = background(el);
    const fg0 = parse(st.color);
    if (!fg0) continue;
    const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacity(el)], bg);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(st.fontWeight, 10) >= 700);
    const need = large ? 3 : 4.5;
    const got = ratio(fg, bg);
    if (got < need) {
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(" ").slice(0, 40);
      bad.push(`${name(el)} "${text}": ${got.toFixed(2)} < ${need} (${st.color} on rgb(${bg.slice(0, 3).map(Math.round).join(",")}))`);
    }
  }
  return [...new Set(bad)];
}

async function check(page, where, failures) {
  const bad = await page.evaluate(lowContrast);
  for (const b of bad) failures.push(`${where}: ${b}`);
}

async function tab(page, id, ready) {
  await page.click(`[data-testid="${id}"]`);
  if (ready) await page.waitForSelector(ready);
  await page.waitForTimeout(150);
}

for (const colorScheme of ["light", "dark"]) {
  test(`text meets WCAG AA contrast on every page (${colorScheme})`, () => withPage(async (page) => {
    const failures = [];
    await check(page, "landing", failures);
    await openFile(page, corpus("cpu_regexp_json.pb.gz"));
    await page.waitForSelector('[data-testid="top-row"]');
    await page.waitForSelector('[data-testid="label-value"]');
    await check(page, "top and labels", failures);
    await page.keyboard.press("?");
    await page.waitForSelector('[data-testid="shortcuts"]');
    await check(page, "shortcuts", failures);
    await page.keyboard.press("?");
    await tab(page, "tab-flame", '[data-testid="flame-canvas"][data-drawn="true"]');
    await page.click('[data-testid="flame-canvas"]', { position: { x: 40, y: 27 } });
    await page.waitForSelector('[data-testid="flame-sandwich"]');
    await check(page, "flame", failures);
    await page.click('[data-testid="flame-sandwich"]');
    await page.waitForSelector('[data-testid="sandwich-self"]');
    await check(page, "sandwich", failures);
    await tab(page, "tab-bottom-up", '[data-testid="flame-canvas"][data-drawn="true"]');
    await check(page, "bottom-up", failures);
    await openFile(page, corpus("goroutine_states.debug2.txt"));
    await tab(page, "tab-goroutines", '[data-testid="goroutine-group"]');
    await page.click('[data-testid="goroutine-group"] .group-summary');
    await check(page, "goroutines", failures);
    assert.deepEqual(failures, [], `low contrast:\n${failures.join("\n")}`);
  }, { colorScheme }));
}

/// A table's name, its column headers and the first body row's cells.
const tableFacts = (page, testid, row) => page.$eval(`[data-testid="${testid}"]`, (t, row) => {
  // A group's row is the first of its <tbody>; a top row is the <tr>.
  const el = row ? t.querySelector(`[data-testid="${row}"]`) : null;
  const first = el?.tagName === "TBODY" ? el.querySelector("tr") : el;
  return {
    tag: t.tagName,
    label: t.getAttribute("aria-label") ?? t.querySelector("caption")?.textContent,
    headers: [...t.querySelectorAll('thead th[scope="col"]')].map((h) => h.textContent.trim()),
    cells: first ? first.querySelectorAll(":scope > td").length : 0,
    rowIndex: first?.getAttribute("aria-rowindex"),
    rowCount: t.getAttribute("aria-rowcount"),
  };
}, row);

test("the top table and the goroutine tables are tables with column headers", () => withPage(async (page) => {
  await openFile(page, corpus("goroutine_states.debug2.txt"));
  await page.click('[data-testid="tab-top"]');
  await page.waitForSelector('[data-testid="top-row"]');
  const top = await tableFacts(page, "top-table", "top-row");
  assert.equal(top.tag, "TABLE");
  assert.ok(top.label, "the top table has a label");
  for (const h of ["flat", "flat%", "sum%", "cum", "cum%", "name"]) {
    assert.ok(top.headers.some((x) => x.startsWith(h)), `a ${h} column header in ${top.headers}`);
  }
  assert.equal(top.headers.length, 6, "six column headers");
  assert.equal(top.cells, 6, "six cells a row");
  // Only the rows on screen exist, so each tells its place among them all.
  assert.equal(top.rowIndex, "2", "the first row follows the header row");
  const rows = await page.$$eval('[data-testid="top-row"]', (rs) => rs.length);
  assert.equal(Number(top.rowCount), rows + 1, "aria-rowcount counts the header and every row");

  await page.click('[data-testid="tab-goroutines"]');
  await page.waitForSelector('[data-testid="wait-histogram"]');
  const hist = await tableFacts(page, "wait-histogram");
  assert.equal(hist.tag, "TABLE");
  assert.ok(hist.label, "the wait table has a caption or label");
  assert.ok(hist.headers.length > 2, "its columns have headers");

  const groups = await tableFacts(page, "goroutine-groups", "goroutine-group");
  assert.equal(groups.tag, "TABLE");
  assert.ok(groups.label, "the groups table has a label");
  assert.deepEqual(groups.headers, ["count", "state", "waiting", "top of stack", "created by"]);
  assert.equal(groups.cells, 5, "a cell per column in a group's row");
  // Each group's stack opens from a button a keyboard reaches.
  const toggle = page.locator('[data-testid="goroutine-group"] .group-toggle').first();
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  await toggle.focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-testid="goroutine-group"] .group-detail .frames li');
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => !document.querySelector('[data-testid="goroutine-group"] .group-detail'));

  // A long top table holds only a window of its rows: spacer rows stand
  // for the rest, spanning the columns there are, no more.
  await openFile(page, corpus("cpu_regexp_json.pb.gz"));
  await page.click('[data-testid="tab-top"]');
  await page.waitForSelector('[data-testid="top-row"]');
  const long = await tableFacts(page, "top-table", "top-row");
  assert.ok(Number(long.rowCount) > 100, `${long.rowCount} rows`);
  const fit = await page.$eval('[data-testid="top-table"]', (t) => ({
    table: t.getBoundingClientRect().width,
    box: t.parentElement.clientWidth,
    row: t.querySelector('[data-testid="top-row"]').getBoundingClientRect().width,
    spans: [...t.querySelectorAll("tr.spacer td")].map((c) => c.colSpan),
  }));
  assert.ok(fit.spans.length > 0, "rows below the window");
  assert.ok(fit.spans.every((n) => n === 6), `spacers span the six columns: ${fit.spans}`);
  assert.ok(Math.abs(fit.row - fit.box) <= 1, `a row is as wide as the table's box: ${JSON.stringify(fit)}`);
}));
