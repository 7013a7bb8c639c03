#!/usr/bin/env bash
# Installs everything pprof-lens needs to build and test, skipping what is
# already installed at the right version. Safe to run again and again.
# A fresh machine needs only rustup/cargo, Node/npm and Python.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/env.sh
source tools/env.sh

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

TRUNK_VERSION=0.21.14
# The wasm-bindgen CLI must match the crate version pinned in Cargo.toml.
WB_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)"
[ -n "$WB_VERSION" ] || { echo "Cargo.toml must pin wasm-bindgen = \"=X\"" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  say "installing trunk $TRUNK_VERSION (takes several minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  # Not --locked: one of its locked dependencies is gone from the registry.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# wasm-opt from npm's binaryen, inside the project's ignored tool folder.
# The lock file in tools/wasm-opt pins it.
if ! cmp -s tools/wasm-opt/package-lock.json .tools/wasm-opt/package-lock.json \
   || ! .tools/wasm-opt/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version 132"; then
  say "installing wasm-opt (npm binaryen) into .tools/"
  mkdir -p .tools/wasm-opt
  cp tools/wasm-opt/package.json tools/wasm-opt/package-lock.json .tools/wasm-opt/
  (cd .tools/wasm-opt && npm ci --no-audit --no-fund --silent)
fi

# Zopfli, for the single file's gzip blocks (tools/single-file.mjs): about
# 5% smaller than zlib's best, which keeps the file inside its 800 KB.
if ! command -v zopfli >/dev/null; then
  say "installing zopfli (Debian package)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq zopfli >/dev/null
fi

# Debian's Chromium and ChromeDriver, for wasm-bindgen-test and the end-to-end tests.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver (Debian packages)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Firefox ESR and WebKitGTK (WebKitWebDriver, which starts the MiniBrowser
# of libwebkit2gtk) with Xvfb, for the end-to-end tests on the other engines.
if ! command -v firefox-esr >/dev/null || ! command -v WebKitWebDriver >/dev/null || ! command -v Xvfb >/dev/null; then
  say "installing firefox-esr, webkit2gtk-driver and xvfb (Debian packages)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq firefox-esr webkit2gtk-driver xvfb >/dev/null
fi

# The end-to-end tests' npm packages (playwright-core drives Debian's Chromium;
# it never downloads a browser of its own).
# A copy of the lock file inside node_modules records what was installed.
if ! cmp -s tests/e2e/package-lock.json tests/e2e/node_modules/.installed-lock.json 2>/dev/null; then
  say "installing the end-to-end tests' npm packages"
  (cd tests/e2e && npm ci --no-audit --no-fund --silent && cp package-lock.json node_modules/.installed-lock.json)
fi

if [ "${1:-}" = "--with-fuzz" ]; then
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz
  fi
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "installing the nightly toolchain (cargo fuzz needs it)"
    rustup toolchain install nightly --profile minimal
  fi
fi
say "tools ready"
