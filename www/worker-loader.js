// Starts the pprof-lens Web Worker: trunk builds it as `worker.js` (wasm-bindgen
// "no-modules" output) and `worker_bg.wasm`, next to this file.
importScripts("./worker.js");
wasm_bindgen({ module_or_path: "./worker_bg.wasm" });
