// The browser engines the end-to-end suite runs on, all Debian packages
// driven by playwright-core (which never downloads a browser of its own):
//   chromium  /usr/bin/chromium over CDP (the default);
//   firefox   /usr/bin/firefox-esr over WebDriver BiDi (playwright's
//             `moz-firefox` channel, no geckodriver and no patched build).
// WebKit has no playwright path without playwright's own WebKit build, so it
// runs the core cases in a WebDriver runner of its own (webkit/).
//
// Where an engine cannot do a step, the test says so with skipOn(): the step
// is left out on that engine only, a SKIP line is printed and the skip is
// counted (tools/test.sh prints the counts), so nothing passes silently.
import { appendFileSync } from "node:fs";
import { firefox, chromium } from "playwright-core";

export const ENGINE = process.env.E2E_ENGINE || "chromium";
// webkit: the WebDriver runner (webkit/) shares the skip log and the
// harness's paths, but never launches a browser through playwright.
if (!["chromium", "firefox", "webkit"].includes(ENGINE)) throw new Error(`E2E_ENGINE=${ENGINE}: want chromium, firefox or webkit`);

/// Launches the engine's browser with a fresh temporary profile.
export async function launch(colorScheme = "light") {
  if (ENGINE === "webkit") throw new Error("WebKit runs through tests/e2e/webkit/, not playwright");
  if (ENGINE === "firefox") return launchFirefox(colorScheme);
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic",
    ],
  });
}

// Firefox ESR 153's BiDi has no `emulation.setMediaFeaturesOverride`, which
// playwright sends for every new context. The colour scheme is set instead
// through a profile preference for the whole browser (so the harness keeps
// one Firefox per scheme), and that one unknown command is answered as done.
// Every other protocol error still fails the test.
const UNSUPPORTED = new Set(["emulation.setMediaFeaturesOverride"]);
const SCHEME_PREF = { dark: 0, light: 1 };

async function launchFirefox(colorScheme) {
  const browser = await firefox.launch({
    channel: "moz-firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    firefoxUserPrefs: { "layout.css.prefers-color-scheme.content-override": SCHEME_PREF[colorScheme] ?? 1 },
  });
  // In process, the client object maps to the server's BidiBrowser, whose
  // session prototype carries `send` for every BiDi session.
  const session = Object.getPrototypeOf(browser._connection.toImpl(browser)._browserSession);
  if (!session.pprofLensPatched) {
    const send = session.send;
    session.send = function (method, params) {
      const sent = send.call(this, method, params);
      if (!UNSUPPORTED.has(method)) return sent;
      return sent.catch((e) => {
        if (/unknown command/.test(e.message)) return {};
        throw e;
      });
    };
    session.pprofLensPatched = true;
  }
  return browser;
}

/// True when the suite runs on ENGINE `engine`: the caller leaves the step
/// out. Prints a SKIP line and appends it to $E2E_SKIP_LOG for the counts.
export function skipOn(engine, why) {
  if (ENGINE !== engine) return false;
  logSkip(engine, why);
  return true;
}

/// Prints and records one skipped step on `engine`.
export function logSkip(engine, why) {
  const line = `SKIP on ${engine}: ${why}`;
  console.log(line);
  if (process.env.E2E_SKIP_LOG) appendFileSync(process.env.E2E_SKIP_LOG, `${line}\n`);
}
