// Says so when the page's wasm traps. A trap leaves the app's state half
// changed and its code unable to report anything: without this the page
// would sit still, showing its last status. One banner goes above the app,
// naming the engine's message, with a Reload button. A Rust panic traps as
// "unreachable" after the app's own error banner has named it, so it is
// left to the app. A browser whose engine cannot compile or link the wasm
// (one older than the WebAssembly features the code uses) would leave the
// landing up with nothing behind it: it is told so, with no Reload button,
// as reloading cannot help, and the landing's controls are disabled. A
// classic script, deferred, before the app's module script, so it listens
// before any wasm runs; the single file (tools/single-file.mjs) runs the
// same text first in its start script.
(() => {
  if (typeof WebAssembly !== "object") return;
  const stopped = (error) => {
    const unbuilt = error instanceof WebAssembly.CompileError || error instanceof WebAssembly.LinkError;
    if (!unbuilt && (!(error instanceof WebAssembly.RuntimeError) || /unreachable/i.test(error.message))) return;
    if (document.querySelector('[data-testid="page-stopped"]')) return;
    const bar = document.createElement("div");
    bar.className = "banner error stopped";
    bar.dataset.testid = "page-stopped";
    const text = document.createElement("span");
    text.setAttribute("role", "alert");
    text.textContent = unbuilt
      ? `pprof-lens cannot run in this browser: its WebAssembly code did not load (${error.message}). Open it in a current Chrome, Firefox or Safari.`
      : `pprof-lens stopped: its WebAssembly code failed (${error.message}). Reload the page to go on; your files stay on this machine.`;
    bar.append(text);
    if (!unbuilt) {
      const reload = document.createElement("button");
      reload.className = "button";
      reload.dataset.testid = "page-stopped-reload";
      reload.textContent = "Reload";
      reload.addEventListener("click", () => location.reload());
      bar.append(reload);
    }
    document.body.prepend(bar);
    const boot = document.getElementById("boot");
    if (unbuilt && boot) {
      // The boot landing (www/boot.js) would go on saying "starting…", and
      // take files for an app that never comes.
      boot.setAttribute("data-unbuilt", "");
      const status = boot.querySelector('[data-testid="boot-status"]');
      if (status) status.textContent = "cannot run in this browser";
      for (const control of boot.querySelectorAll("input, button")) control.disabled = true;
    }
  };
  addEventListener("error", (e) => stopped(e.error));
  addEventListener("unhandledrejection", (e) => stopped(e.reason));
})();
