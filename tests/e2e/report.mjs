// What the page reports, read as a test compares it with pprof: the
// downloaded top text, the sample type shown, the flame canvas's ink, and
// the oracles beside each corpus file.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CORPUS, skipOn } from "./harness.mjs";

/// The sample types that have a `-top` oracle beside FILE.
export const oracleTypes = (file) => {
  const dir = join(CORPUS, file, "..");
  const base = file.split("/").pop();
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.top.`) && f.endsWith(".txt"))
    .map((f) => f.slice(`${base}.top.`.length, -".txt".length));
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An oracle as today's pprof prints it. Go 1.19's pprof (the top-level
/// corpus) wrote `Time: Nov 25, 2026 at 7:22am (UTC)`; today's writes
/// `Time: 2026-11-25 07:22:31 UTC`. That line is taken from `got` when both
/// name the same minute; every other line must be equal as it is.
export function asToday(want, got) {
  const ours = got.split("\n").find((l) => l.startsWith("Time: "));
  return want.split("\n").map((l) => {
    const m = /^Time: (\w{3}) (\d+), (\d{4}) at (\d+):(\d\d)(am|pm) \(UTC\)$/.exec(l);
    if (!m || !ours) return l;
    const hour = (Number(m[4]) % 12) + (m[6] === "pm" ? 12 : 0);
    const pad = (n) => String(n).padStart(2, "0");
    const prefix = `Time: ${m[3]}-${pad(MONTHS.indexOf(m[1]) + 1)}-${pad(m[2])} ${pad(hour)}:${m[5]}:`;
    return ours.startsWith(prefix) ? ours : l;
  }).join("\n");
}

/// The top table's download. `name` is the file name the page suggests
/// (files are opened under the neutral name "unknown"); null skips that check.
export async function downloadTop(page, name = "unknown.top.txt") {
  return downloadFile(page, '[data-testid="download-top"]', name);
}

/// Clicks `selector` and returns the file the page downloads, as text (or,
/// with `binary`, a Buffer), checking its name unless `name` is null.
export async function downloadFile(page, selector, name, { binary = false } = {}) {
  if (skipOn("firefox", "no download event for a blob: link over BiDi; the file is read from the link's blob")) {
    const got = await blobDownload(page, selector, name, binary);
    return binary ? Buffer.from(got, "base64") : got;
  }
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  if (name !== null) assert.equal(download.suggestedFilename(), name);
  const path = await download.path();
  return binary ? readFileSync(path) : readFileSync(path, "utf8");
}

/// Clicks `selector` and returns the content of the blob that the page's
/// download link points at (base64 when `binary`), checking its `download`
/// name. The page's own code runs to the very click on the link; only the
/// browser's saving is left out.
async function blobDownload(page, selector, name, binary) {
  await page.evaluate(() => {
    if (window.__pprofLensDownloads) return;
    const blobs = new Map();
    const create = URL.createObjectURL;
    URL.createObjectURL = (b) => { const u = create(b); blobs.set(u, b); return u; };
    window.__pprofLensDownloads = [];
    HTMLAnchorElement.prototype.click = function () {
      window.__pprofLensDownloads.push({ name: this.download, blob: blobs.get(this.href) });
    };
  });
  const before = await page.evaluate(() => window.__pprofLensDownloads.length);
  await page.click(selector);
  await page.waitForFunction((n) => window.__pprofLensDownloads.length > n, before);
  const got = await page.evaluate(async ([n, binary]) => {
    const { name, blob } = window.__pprofLensDownloads[n];
    if (!binary) return { name, text: await blob.text() };
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { name, text: btoa(s) };
  }, [before, binary]);
  if (name !== null) assert.equal(got.name, name);
  return got.text;
}

export async function selectSampleType(page, name) {
  await page.selectOption('[data-testid="sample-type"]', name);
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="top-header"]')?.textContent.includes(`Type: ${n}`), name, { timeout: 30_000 });
}

/// Fraction of canvas pixels that differ from the top-left pixel (the background).
export async function canvasInk(page) {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="flame-canvas"]');
    const ctx = c.getContext("2d");
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) ink++;
    }
    return ink / (data.length / 4);
  });
}

/// Goroutine counts per state, read from the raw text the way a person would:
/// each `goroutine N [...]:` header's bracket up to the first comma.
export function statesOf(path) {
  const counts = new Map();
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const m = /^goroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[([^\]]*)\]:$/.exec(line);
    if (m) {
      const state = m[1].split(",")[0];
      counts.set(state, (counts.get(state) || 0) + 1);
    }
  }
  return counts;
}

/// The flame canvas's width against its scroll container's inner width
/// (without borders and a scrollbar that takes space), in CSS pixels: equal
/// when the graph reaches the container's right edge and nothing is clipped.
/// A plain function, so the WebKit runner can send it to its page as well.
export function flameFit() {
  const c = document.querySelector('[data-testid="flame-canvas"]');
  const box = c.closest(".flame-scroll");
  return { canvas: c.getBoundingClientRect().width, inner: box.clientWidth, scroll: box.scrollWidth };
}

/// Checks that the flame canvas fills its container's inner width exactly.
export function assertFlameFits(fit) {
  assert.equal(fit.canvas, fit.inner, `the flame canvas is ${fit.canvas}px wide in a container ${fit.inner}px wide inside`);
  assert.ok(fit.scroll <= fit.inner, `the container scrolls sideways (${fit.scroll}px of ${fit.inner}px)`);
}
