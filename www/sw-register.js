// Registers the service worker (dist/sw.js, written by
// tools/service-worker.mjs) that keeps the site working offline, and tells
// the app (src/ui/bundle.rs reads window.pprofLensUpdate) when this browser
// last ran another build. Runs before the app starts; a classic script so it
// needs nothing but the CSP's script-src 'self'.
(() => {
  const KEY = "pprof-lens-version";
  const version = document.querySelector(`meta[name="${KEY}"]`)?.content;
  if (version) {
    let last = null;
    try {
      last = localStorage.getItem(KEY);
      localStorage.setItem(KEY, version);
    } catch {
      // Storage can be disabled; the notice is then never shown.
    }
    if (last && last !== version) window.pprofLensUpdate = { from: last, to: version };
  }
  openLaunchedFiles();
  if (!("serviceWorker" in navigator) || !version) return;
  const updating = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // The first install changes nothing: this page is that build already.
    if (!updating) return;
    // A new deployment took over. A page with nothing open reloads into it
    // at once; one showing a profile keeps its own build (its files stay
    // cached) and offers the reload.
    const status = document.querySelector('[data-testid="status"]');
    if (!status || status.dataset.state === "idle") {
      location.reload();
    } else {
      window.pprofLensUpdate = { pending: true };
      document.dispatchEvent(new Event("pprof-lens-update"));
    }
  });
  addEventListener("load", () => {
    navigator.serviceWorker.register("sw.js").catch((e) => console.warn(`pprof-lens works online only: ${e}`));
  });

  // An installed pprof-lens is a file handler (the manifest's
  // file_handlers): files opened with it from the desktop arrive in the
  // launch queue, and go to the app through its own file input, as if
  // chosen there. Browsers without the File Handling API skip this.
  function openLaunchedFiles() {
    if (!("launchQueue" in window)) return;
    window.launchQueue.setConsumer(async (params) => {
      if (!params.files?.length) return;
      const files = await Promise.all(params.files.map((h) => h.getFile()));
      const input = await until(() => document.querySelector('[data-testid="file-input"]'));
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(f);
      input.files = dt.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function until(find) {
    return new Promise((resolve) => {
      const tick = () => {
        const el = find();
        if (el) resolve(el);
        else setTimeout(tick, 50);
      };
      tick();
    });
  }
})();
