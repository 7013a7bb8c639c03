// The landing before the app's wasm has started. index.html carries a copy
// of the app's landing (id="boot"), so the page is usable at its first
// paint: a file chosen or dropped there, or an example picked, waits here
// and is handed to the app once it has mounted, through the app's own file
// input or example button, as if the user had used them. The app then
// replaces this landing. A classic script at the end of <body>, so it runs
// before the first paint and needs nothing but the CSP's script-src 'self'.
(() => {
  const boot = document.getElementById("boot");
  if (!boot) return;
  let files = null;
  let example = null;
  const status = boot.querySelector('[data-testid="boot-status"]');
  const waiting = (what) => {
    status.textContent = `${what} opens as soon as pprof-lens has started…`;
  };
  // www/stopped.js marks the landing when the app cannot start here.
  const unbuilt = () => boot.hasAttribute("data-unbuilt");
  const take = (list) => {
    if (!list || !list.length || unbuilt()) return;
    files = [...list];
    example = null;
    waiting(files.length === 1 ? files[0].name : `${files.length} files`);
  };
  const onChange = (e) => take(e.target.files);
  const onDragOver = (e) => e.preventDefault();
  const onDrop = (e) => {
    e.preventDefault();
    take(e.dataTransfer?.files);
  };
  const onClick = (e) => {
    const button = e.target.closest("[data-boot-example]");
    if (!button) return;
    example = button.dataset.bootExample;
    files = null;
    waiting(button.textContent.replace(/^Try an? /, "the "));
  };
  // A file chosen before this script ran is already in its input.
  for (const input of boot.querySelectorAll('input[type="file"]')) take(input.files);
  boot.addEventListener("change", onChange);
  boot.addEventListener("click", onClick);
  addEventListener("dragover", onDragOver);
  addEventListener("drop", onDrop);

  // The app's root: once it is in the page, the app handles everything.
  const handOver = () => {
    const input = document.querySelector('[data-testid="drop-zone"] [data-testid="file-input"]');
    if (!input) return false;
    removeEventListener("dragover", onDragOver);
    removeEventListener("drop", onDrop);
    boot.remove();
    if (files) {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(f);
      input.files = dt.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (example) {
      document.querySelector(`[data-testid="${example}"]`)?.click();
    }
    return true;
  };
  window.pprofLensBootAt = performance.now();
  if (!handOver()) {
    const watch = new MutationObserver(() => {
      if (handOver()) watch.disconnect();
    });
    watch.observe(document.body, { childList: true, subtree: true });
  }
})();
