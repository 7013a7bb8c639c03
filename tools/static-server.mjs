// A small static file server for dist/: the serve command and the end-to-end
// tests both use it, so what the tests see is what a user gets.
//   node tools/static-server.mjs [--dir dist] [--host 127.0.0.1] [--port 8080] [--base /]
// --port 0 picks a free port; the server prints "listening <url>" once ready.
// --base serves the site under a sub-path, as GitHub Pages project sites do.
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
  ".json": "application/json", ".webmanifest": "application/manifest+json", ".txt": "text/plain; charset=utf-8",
  ".gz": "application/octet-stream", ".pb": "application/octet-stream", ".ico": "image/x-icon",
};

export function serve({ dir = "dist", host = "127.0.0.1", port = 8080, base = "/", log = false } = {}) {
  const root = resolve(dir);
  if (!base.endsWith("/")) base += "/";
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    if (!url.pathname.startsWith(base)) {
      res.writeHead(302, { Location: base }).end();
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(base.length)) || "index.html";
    let path = normalize(join(root, rel));
    if (path !== root && !path.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    let st;
    try {
      st = statSync(path);
      if (st.isDirectory()) {
        path = join(path, "index.html");
        st = statSync(path);
      }
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      if (log) console.log(`404 ${url.pathname}`);
      return;
    }
    res.writeHead(200, {
      "Content-Type": TYPES[extname(path)] || "application/octet-stream",
      "Content-Length": st.size,
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
    });
    if (req.method === "HEAD") return res.end();
    createReadStream(path).pipe(res);
    if (log) console.log(`200 ${url.pathname}`);
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      ok({ server, url: `http://${host}:${p}${base}` });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const { url } = await serve({
    dir: opt("dir", "dist"), host: opt("host", "127.0.0.1"), port: Number(opt("port", "8080")), base: opt("base", "/"),
    log: args.includes("--log"),
  });
  console.log(`listening ${url}`);
}
