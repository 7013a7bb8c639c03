//! The pprof-lens web app (built for wasm32 by trunk).
#[cfg(target_arch = "wasm32")]
fn main() {
    pprof_lens::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("pprof-lens is a web app: build it with trunk (see README.md).");
}
