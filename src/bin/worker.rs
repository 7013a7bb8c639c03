//! The Web Worker that decodes and analyses profiles off the main thread.
#[cfg(target_arch = "wasm32")]
fn main() {
    pprof_lens::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the pprof-lens worker runs in a browser: build it with trunk (see README.md).");
}
