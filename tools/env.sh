# Sourced by the project's scripts: puts the project's own tools first on PATH.
PPROF_LENS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PPROF_LENS_ROOT/.tools/wasm-opt/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
# The wasm that ships names the source file of each panic's location;
# without this, a crate's is its path under this machine's cargo home
# (/home/someone/.cargo/registry/src/index.crates.io-.../zlib-rs-0.6.9/...).
# Each registry is remapped to `crates/`; the project's own files are
# already relative.
REMAP="--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=crates"
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  [ -d "$registry" ] && REMAP="$REMAP --remap-path-prefix=${registry%/}=crates"
done
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$REMAP"
unset REMAP registry
