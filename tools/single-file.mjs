// Writes dist/pprof-lens.html: the whole site in one self-contained file
// that opens from file://, for machines with no network and no server.
// Run by tools/post-build.mjs after the CSP hash, inside trunk's staging
// directory, so it sees exactly the files trunk is about to publish.
//
// A browser fetches nothing for a file:// page (no wasm, no worker script,
// no examples), so everything rides inside the HTML:
// - the page's and the worker's wasm and JS glue, gzipped then carried 7 bits a character in
//   <script type="text/plain"> blocks, which are data and never run;
// - one inline start script, allowed by its hash, that unpacks them with
//   DecompressionStream, imports the page glue from a Blob URL, starts the
//   worker from a Blob URL (the app reads that URL and the examples from
//   window.pprofLensBundle; see src/ui/bundle.rs), and then the app;
// - the CSS (comments and needless whitespace dropped) gzipped and 7 bits
//   a character like the glue, put into a <style> by the start script
//   before the app starts: the body is empty until then, so nothing is
//   drawn unstyled, and packed it takes 13 KB less of the budget;
// - the icon as a data: URL, the examples 7 bits a character too.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";

export const SINGLE_FILE = "pprof-lens.html";
/// Issue 11's budget, 800 KB: nothing gzips a file:// load.
export const MAX_BYTES = 800_000;

// The bytes ride as 7-bit characters (8 characters per 7 bytes, 14% over
// the bytes; base 85 would be 25% and base64 33%): each 7 bits is one ASCII
// character, except the values an HTML parser would not hand back as they
// are inside a <script> block (NUL becomes U+FFFD, CR becomes LF, < could
// end the block, DEL is a control character). Such a value is carried with
// the next 7 bits in one two-byte UTF-8 character from U+0100 on, past the
// C1 controls. Nothing is trimmed: whitespace is data.
const UNSAFE = [0, 13, 60, 127];
const SEVEN_OFFSET = 0x100;

/// Bytes as 7-bit characters, most significant bits first; the last group
/// is padded with zero bits, and the decoder stops at the byte count.
function encode7(bytes) {
  const chunks = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 7) {
      bits -= 7;
      chunks.push((acc >> bits) & 127);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) chunks.push((acc << (7 - bits)) & 127);
  const out = [];
  for (let i = 0; i < chunks.length; i++) {
    const k = UNSAFE.indexOf(chunks[i]);
    if (k < 0) out.push(String.fromCharCode(chunks[i]));
    else out.push(String.fromCharCode(SEVEN_OFFSET + (k << 7) + (chunks[++i] ?? 0)));
  }
  return out.join("");
}

/// encode7's inverse, as source for the page and the worker.
const DECODE7 = `function decode7(s, n) {
  const unsafe = ${JSON.stringify(UNSAFE)};
  const out = new Uint8Array(n);
  let o = 0, acc = 0, bits = 0;
  const push = (v) => {
    acc = ((acc << 7) | v) & 0x7fff;
    bits += 7;
    if (bits >= 8) { bits -= 8; if (o < n) out[o++] = (acc >> bits) & 255; }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) push(c);
    else { const v = c - ${SEVEN_OFFSET}; push(unsafe[v >> 7]); push(v & 127); }
  }
  return out;
}`;

/// The stylesheet without its comments and the whitespace CSS does not
/// read (3 KB of the budget): runs of whitespace become one space, none is
/// kept around { } ; , > or after a colon, and quoted strings are left as
/// they are. A whitespace pass, not a CSS minifier: the file's rules are
/// kept as written, so what the hosted page and the single file style is
/// the same stylesheet.
export function minifyCss(css) {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .split(/("[^"]*"|'[^']*')/)
    .map((part, i) => (i % 2 ? part : part.replace(/\s+/g, " ").replace(/\s*([{};,>])\s*/g, "$1").replace(/:\s+/g, ":").replace(/;}/g, "}")))
    .join("")
    .trim();
}

export function writeSingleFile(dir) {
  const index = readFileSync(join(dir, "index.html"), "utf8");
  const pick = (re, what) => {
    const m = re.exec(index);
    if (!m) throw new Error(`single-file: cannot find ${what} in index.html`);
    return m[1];
  };
  const pageJs = pick(/from '\.\/([^']+\.js)'/, "the page's JS glue");
  const pageWasm = pick(/module_or_path: '\.\/([^']+\.wasm)'/, "the page's wasm");
  const css = pick(/<link rel="stylesheet" href="\.\/([^"]+)"/, "the stylesheet");
  const icon = pick(/<link rel="icon" href="(data:[^"]+)"/, "the icon");
  const loader = readFileSync(join(dir, pick(/<meta name="pprof-lens-worker" content="\.\/([^"]+)">/, "the worker's loader")), "utf8");
  const workerJs = /importScripts\("\.\/([^"]+)"\)/.exec(loader)?.[1];
  const workerWasm = /module_or_path: "\.\/([^"]+)"/.exec(loader)?.[1];
  if (!workerJs || !workerWasm) throw new Error("single-file: the worker's loader names no worker script or wasm");

  const read = (f) => readFileSync(join(dir, f));
  // Zopfli's gzip (tools/setup.sh installs it): 27 KB less than zlib's
  // level 9 on the two wasm files, read by the same DecompressionStream.
  const zopfliFile = (path, what) => {
    try {
      return execFileSync("zopfli", ["-c", path], { maxBuffer: 1 << 30 });
    } catch (e) {
      throw new Error(`single-file: zopfli failed on ${what} (tools/setup.sh installs it): ${e.message}`);
    }
  };
  const packed = (f) => zopfliFile(join(dir, f), f);
  // zopfli reads files only.
  const zopfli = (bytes, what) => {
    const tmp = mkdtempSync(join(tmpdir(), "pprof-lens-"));
    try {
      writeFileSync(join(tmp, "in"), bytes);
      return zopfliFile(join(tmp, "in"), what);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };
  const data = (attrs, bytes) => `<script type="text/plain" ${attrs} data-n="${bytes.length}">${encode7(bytes)}</script>`;
  const examples = readdirSync(join(dir, "examples")).sort();

  const start = `
${read("stopped.js").toString("utf8")}
${DECODE7}
const block = (el) => decode7(el.textContent, Number(el.dataset.n));
const byId = (id) => document.getElementById(id);
// A Response's body, not Blob.stream(): WebKitGTK 2.50 cannot read a
// Blob's stream inside a worker started from a file:// page
// (NotReadableError), and the worker below unpacks the same way.
const gunzip = (bytes) => new Response(new Response(bytes).body.pipeThrough(new DecompressionStream("gzip")));
const [css, glue, wasm, workerGlue] = await Promise.all([
  gunzip(block(byId("pl-css"))).text(),
  gunzip(block(byId("pl-page-js"))).text(),
  gunzip(block(byId("pl-page-wasm"))).arrayBuffer(),
  gunzip(block(byId("pl-worker-js"))).text(),
]);
// The worker unpacks its own wasm: it is started by URL, so its script
// carries the bytes, and the decoder. A failure to start is thrown again
// outside the promise, where it fires the Worker's error event and the page
// shows it, instead of leaving the worker "starting" for ever.
const packedWasm = byId("pl-worker-wasm");
const workerStart = "\\n" + ${JSON.stringify(DECODE7)} + "\\n;(async () => {" +
  "const b = decode7(" + JSON.stringify(packedWasm.textContent) + ", " + Number(packedWasm.dataset.n) + ");" +
  "const wasm = await new Response(new Response(b).body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();" +
  "await wasm_bindgen({ module_or_path: wasm });" +
  "})().catch((e) => setTimeout(() => { throw e; }));";
const examples = {};
for (const el of document.querySelectorAll("script[data-example]")) {
  examples[el.dataset.example] = new Blob([block(el)]);
}
window.pprofLensBundle = {
  worker: URL.createObjectURL(new Blob([workerGlue, workerStart], { type: "text/javascript" })),
  examples,
};
const style = document.createElement("style");
style.textContent = css;
document.head.append(style);
const bindings = await import(URL.createObjectURL(new Blob([glue], { type: "text/javascript" })));
const started = await bindings.default({ module_or_path: wasm });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm: started } }));
`;
  const hash = createHash("sha256").update(start, "utf8").digest("base64");
  // The hosted page's policy, with only what file:// requires changed:
  // - nothing is loaded by URL, so no 'self' anywhere and connect-src 'none';
  // - script-src and worker-src allow blob:, the page glue and the worker
  //   being Blob URLs the start script makes from the page's own bytes;
  // - the start script is allowed by its hash, as on the hosted page;
  // - img-src data: for the icon.
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${hash}' blob: 'wasm-unsafe-eval'`,
    "worker-src blob:",
    "connect-src 'none'",
    "img-src data: blob:",
    "style-src 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="color-scheme" content="light dark">
<meta name="description" content="pprof-lens, offline: look at Go profiles and goroutine dumps in your browser. Files never leave your machine.">
<title>pprof-lens</title>
<link rel="icon" href="${icon}">
${data('id="pl-css"', zopfli(Buffer.from(minifyCss(read(css).toString("utf8")), "utf8"), css))}
${data('id="pl-page-js"', packed(pageJs))}
${data('id="pl-page-wasm"', packed(pageWasm))}
${data('id="pl-worker-js"', packed(workerJs))}
${data('id="pl-worker-wasm"', packed(workerWasm))}
${examples.map((f) => data(`data-example="examples/${f}"`, read(join("examples", f)))).join("\n")}
<script type="module">${start}</script>
</head>
<body>
  <noscript>pprof-lens needs JavaScript and WebAssembly to read profiles in your browser.</noscript>
</body>
</html>
`;
  const size = Buffer.byteLength(html);
  if (size > MAX_BYTES) throw new Error(`single-file: ${SINGLE_FILE} is ${size} bytes, over the ${MAX_BYTES}-byte budget`);
  writeFileSync(join(dir, SINGLE_FILE), html);
  console.log(`single-file: ${SINGLE_FILE} ${(size / 1024).toFixed(0)} KiB`);
}
