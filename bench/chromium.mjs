// What the browser benchmarks share: Debian's headless Chromium with the
// end-to-end harness's flags, and the renderer's peak RSS read from /proc.
import { readdirSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

export const VIEWPORT = { width: 1920, height: 1080 };
export const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-precise-memory-info",
];

export let browserVersion;
export async function launch() {
  const b = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS });
  browserVersion = b.version();
  return b;
}

/// Peak RSS (VmHWM) of this browser's renderer processes: the largest one,
/// which holds the page and its workers. Chromium is a child of this node process.
export function rendererPeak() {
  const parent = new Map();
  const cmd = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      cmd.set(Number(d), readFileSync(`/proc/${d}/cmdline`, "utf8"));
    } catch {}
  }
  const mine = (p) => {
    for (let i = 0; i < 64 && p > 1; i++) {
      if (p === process.pid) return true;
      p = parent.get(p);
    }
    return false;
  };
  let peak = 0;
  for (const [p, c] of cmd) {
    if (!c.includes("--type=renderer") || !mine(p)) continue;
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {}
  }
  return peak;
}

/// The app's worker, not its helper (a second copy of it, named so, which
/// Playwright may list first).
export async function appWorker(page) {
  for (const w of page.workers()) {
    if ((await w.evaluate(() => self.name).catch(() => "")) !== "pprof-lens-helper") return w;
  }
  return undefined;
}
