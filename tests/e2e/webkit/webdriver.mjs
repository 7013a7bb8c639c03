// A minimal W3C WebDriver client for WebKitGTK: Debian's WebKitWebDriver
// starting WebKitGTK's MiniBrowser (which has no headless mode) on an Xvfb
// display. Playwright can only drive its own patched WebKit build, which is a
// download, so WebKit gets these few HTTP calls instead of a driver package.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { once } from "node:events";

export const WEBDRIVER = process.env.WEBKIT_WEBDRIVER || "/usr/bin/WebKitWebDriver";
export const MINIBROWSER = process.env.MINIBROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on("error", reject);
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/// Starts Xvfb (unless DISPLAY is set) and WebKitWebDriver; `stop()` ends both.
export async function startDriver() {
  const children = [];
  let display = process.env.DISPLAY;
  if (!display) {
    // -displayfd picks a free display number and writes it to fd 3.
    const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
    children.push(xvfb);
    const [chunk] = await once(xvfb.stdio[3], "data");
    display = `:${String(chunk).trim()}`;
  }
  const port = await freePort();
  const driver = spawn(WEBDRIVER, [`--port=${port}`], { stdio: "ignore", env: { ...process.env, DISPLAY: display } });
  children.push(driver);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch (e) {
      if (i > 100) throw new Error(`WebKitWebDriver did not start: ${e}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => { for (const c of children.reverse()) c.kill(); } };
}

/// One MiniBrowser session. Every call throws on a WebDriver error.
export class Session {
  /// `timeout` bounds the wait for MiniBrowser to come up: now and then its
  /// launch hangs, and the driver would hold the request for five minutes.
  /// With `dark`, MiniBrowser runs in its dark mode, which pages see as
  /// `prefers-color-scheme: dark`.
  static async start(driverUrl, { timeout = 60_000, dark = false } = {}) {
    const s = new Session(driverUrl, null);
    const args = ["--automation", ...(dark ? ["--dark-mode"] : [])];
    const { sessionId, capabilities } = await s.call("POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "MiniBrowser", "webkitgtk:browserOptions": { binary: MINIBROWSER, args } } },
    }, AbortSignal.timeout(timeout));
    s.id = sessionId;
    s.version = capabilities.browserVersion;
    return s;
  }

  constructor(driverUrl, id) { this.driverUrl = driverUrl; this.id = id; }

  async call(method, path, body, signal) {
    const full = this.id && path !== "/session" ? `${this.driverUrl}/session/${this.id}${path}` : `${this.driverUrl}${path}`;
    const res = await fetch(full, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body), signal });
    const { value } = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
    return value;
  }

  goto(url) { return this.call("POST", "/url", { url }); }
  /// Runs `fn` (a function's source) with `args` in the page; returns its result.
  run(fn, ...args) { return this.call("POST", "/execute/sync", { script: `return (${fn}).apply(null, arguments)`, args }); }
  /// Like run(), for a function that returns a promise.
  runAsync(fn, ...args) {
    return this.call("POST", "/execute/async", {
      script: `const done = arguments[arguments.length - 1]; Promise.resolve((${fn}).apply(null, Array.from(arguments).slice(0, -1))).then((v) => done({ ok: v }), (e) => done({ err: String(e) }));`,
      args,
    }).then((r) => { if (r.err) throw new Error(r.err); return r.ok; });
  }
  async find(css) {
    const v = await this.call("POST", "/element", { using: "css selector", value: css });
    return Object.values(v)[0];
  }
  async click(css) { return this.call("POST", `/element/${await this.find(css)}/click`, {}); }
  /// Sets a file input to the file at `path` (WebDriver's "element send keys").
  async setFile(css, path) { return this.call("POST", `/element/${await this.find(css)}/value`, { text: path }); }
  async screenshot() { return Buffer.from(await this.call("GET", "/screenshot"), "base64"); }
  async setWindow(width, height) { return this.call("POST", "/window/rect", { width, height }); }
  /// Polls `fn` in the page until it returns a truthy value. On timeout
  /// the error says what the page showed then (`seen`, run in the page).
  async waitFor(fn, { timeout = 30_000, what = String(fn), seen = pageState } = {}, ...args) {
    const end = Date.now() + timeout;
    let lost = "";
    for (;;) {
      const v = await this.run(fn, ...args).catch((e) => {
        // Now and then WebKitWebDriver loses a poll's result ("Could not
        // parse script result") while the page paints; a poll reads only,
        // so it is asked again.
        if (/Could not parse script result/.test(e.message)) {
          lost = e.message;
          return undefined;
        }
        throw e;
      });
      if (v) return v;
      if (Date.now() > end) {
        const state = await this.run(seen).catch((e) => `unreadable: ${e.message}`);
        const driver = lost ? `; the driver last lost a result: ${lost}` : "";
        throw new Error(`timed out after ${timeout} ms waiting for ${what}; the page showed ${JSON.stringify(state)}${driver}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  close() { return this.call("DELETE", "", undefined).catch(() => {}); }
}

/// What a timed-out wait reports: the status, its error, and the controls
/// the suites wait on.
function pageState() {
  const q = (t) => document.querySelector(`[data-testid="${t}"]`);
  return {
    status: q("status")?.dataset.state,
    worker: q("status")?.dataset.worker,
    statusText: q("status")?.textContent,
    error: q("error")?.textContent,
    tab: document.querySelector('[aria-selected="true"]')?.dataset.testid,
    compareMode: q("compare-mode")?.value,
    shownMode: q("compare-inputs")?.dataset.mode,
    drawn: q("flame-canvas")?.dataset.drawn,
  };
}
