// Gives the worker's files content-hashed names, as trunk gives the page's:
// worker-loader-<h>.js, worker-<h>.js and worker-<h>_bg.wasm, and tells the
// page the loader's name in a <meta name="pprof-lens-worker"> tag (read by
// src/ui/bundle.rs). trunk names a data-type="worker" build's output
// worker.js and worker_bg.wasm whatever it holds; with fixed names a page
// of one build that restarts its worker after the next build is deployed
// (or cached by the service worker) would start the other build's worker.
import { createHash } from "node:crypto";
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const WORKER_META = "pprof-lens-worker";

export function hashWorker(dir) {
  const loaderName = "worker-loader.js";
  let loader = readFileSync(join(dir, loaderName), "utf8");
  const script = /importScripts\("\.\/([^"]+)"\)/.exec(loader)?.[1];
  const wasm = /module_or_path: "\.\/([^"]+)"/.exec(loader)?.[1];
  if (!script || !wasm) throw new Error("hash-worker: worker-loader.js names no worker script or wasm");
  const h = createHash("sha256")
    .update(readFileSync(join(dir, script)))
    .update(readFileSync(join(dir, wasm)))
    .update(loader)
    .digest("hex")
    .slice(0, 16);
  const names = { [script]: `worker-${h}.js`, [wasm]: `worker-${h}_bg.wasm` };
  for (const [from, to] of Object.entries(names)) {
    renameSync(join(dir, from), join(dir, to));
    loader = loader.replace(`"./${from}"`, `"./${to}"`);
  }
  const hashedLoader = `worker-loader-${h}.js`;
  writeFileSync(join(dir, hashedLoader), loader);
  unlinkSync(join(dir, loaderName));
  const indexPath = join(dir, "index.html");
  const index = readFileSync(indexPath, "utf8");
  const tag = `<meta name="${WORKER_META}" content="./${hashedLoader}">`;
  const out = index.replace(/<meta charset="utf-8">/, (m) => `${m}\n  ${tag}`);
  if (out === index) throw new Error("hash-worker: no <meta charset> in index.html to put the worker's name after");
  writeFileSync(indexPath, out);
  return hashedLoader;
}
