// trunk post_build hook: trunk injects an inline <script type="module"> that
// starts the app. Our Content-Security-Policy allows only our own scripts, so
// this adds the inline script's SHA-256 to script-src instead of allowing
// 'unsafe-inline'. Fails the build if the page has no CSP to amend.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("TRUNK_STAGING_DIR is not set: run this as a trunk post_build hook");
const file = join(dir, "index.html");
let html = readFileSync(file, "utf8");
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
}
const before = html;
html = html.replace(/(script-src 'self')/, `$1 ${hashes.join(" ")}`);
if (hashes.length && html === before) throw new Error("no script-src 'self' in the page's CSP to amend");
writeFileSync(file, html);
console.log(`csp-hash: ${hashes.length} inline script(s) allowed by hash`);
