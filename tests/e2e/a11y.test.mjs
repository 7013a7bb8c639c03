// WCAG AA contrast over the rendered pages, light and dark: every visible
// element with text of its own gets the contrast ratio of its computed
// colour against its effective background (its own and its ancestors'
// backgrounds composited from the first opaque one up, the text's alpha and
// the ancestors' opacity applied), and must reach 4.5, or 3 for large text
// (24px, or 18.66px bold). Background images (the top table's share bars,
// 18% tints) and absolutely placed siblings under the text are not seen;
// disabled controls are exempt, as WCAG exempts them. Canvas labels are
// checked natively (tests/flame_contrast.rs). Also: the top table and the
// goroutine wait table expose a table with column headers to screen readers.
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

test("the top table and the goroutine wait table are tables with column headers", () => withPage(async (page) => {
  await openFile(page, corpus("goroutine_states.debug2.txt"));
  await page.click('[data-testid="tab-top"]');
  await page.waitForSelector('[data-testid="top-row"]');
  const top = await page.$eval('[data-testid="top-table"]', (t) => ({
    label: t.getAttribute("aria-label"),
    role: t.getAttribute("role") ?? t.tagName,
    headers: [...t.querySelectorAll('[role="columnheader"], th')].map((h) => h.textContent.trim()),
    cells: t.querySelector('[data-testid="top-row"]').querySelectorAll('[role="cell"], td').length,
  }));
  assert.ok(top.label, "the top table has a label");
  assert.ok(["table", "TABLE", "grid"].includes(top.role));
  for (const h of ["flat", "flat%", "sum%", "cum", "cum%", "name"]) {
    assert.ok(top.headers.some((x) => x.startsWith(h)), `a ${h} column header in ${top.headers}`);
  }
  assert.equal(top.cells, 6, "six cells a row");
  await page.click('[data-testid="tab-goroutines"]');
  await page.waitForSelector('[data-testid="wait-histogram"]');
  const hist = await page.$eval('[data-testid="wait-histogram"]', (t) => ({
    tag: t.tagName, label: t.getAttribute("aria-label") ?? t.querySelector("caption")?.textContent,
    cols: t.querySelectorAll('th[scope="col"]').length,
  }));
  assert.equal(hist.tag, "TABLE");
  assert.ok(hist.label, "the wait table has a caption or label");
  assert.ok(hist.cols > 2, "its columns have headers");
}));
