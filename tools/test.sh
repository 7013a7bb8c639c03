#!/usr/bin/env bash
# Runs every test: native `cargo test`, wasm-bindgen-test components in
# headless Chromium, the end-to-end tests against the built release site in
# headless Chromium and Firefox ESR and (the core cases) in WebKitGTK, and a
# bounded fuzzing run per decoder. Installs whatever is missing first.
# FUZZ_SECONDS (default 20) bounds each fuzz target.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh --with-fuzz
source tools/env.sh
LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
started=$SECONDS

step "native tests (cargo test)"
cargo test --locked --all-targets 2>&1 | tee "$LOGS/native.log"
cargo test --locked --doc 2>&1 | tee "$LOGS/doc.log"

step "component tests in headless Chromium (wasm-bindgen-test)"
cargo test --locked --target wasm32-unknown-unknown --test browser 2>&1 | tee "$LOGS/wasm.log"

step "release build (trunk)"
trunk build --release

# The end-to-end suite on each engine: the whole suite on Chromium and on
# Firefox ESR (E2E_ENGINE, tests/e2e/engines.mjs), the core cases on WebKitGTK
# (tests/e2e/webkit/). A failing engine does not hide the others' results.
e2e_failed=0
e2e() { # engine, test file patterns (expanded inside tests/e2e)
  local engine=$1; shift
  : > "$LOGS/e2e-$engine.skips"
  local t0=$SECONDS
  (cd tests/e2e && E2E_ENGINE=$engine E2E_SKIP_LOG="$LOGS/e2e-$engine.skips" node --test --test-concurrency=1 \
     --test-reporter=spec --test-reporter-destination=stdout \
     --test-reporter=tap --test-reporter-destination="$LOGS/e2e-$engine.tap" $@) || e2e_failed=1
  echo $((SECONDS - t0)) > "$LOGS/e2e-$engine.secs"
}
step "end-to-end tests in headless Chromium (tests/e2e, screenshots in tests/e2e/output)"
e2e chromium './*.test.mjs'
step "end-to-end tests in headless Firefox ESR (tests/e2e)"
e2e firefox './*.test.mjs'
step "end-to-end core cases in WebKitGTK MiniBrowser on Xvfb (tests/e2e/webkit)"
e2e webkit './webkit/*.test.mjs'

step "fuzzing each decoder for ${FUZZ_SECONDS:-20}s (cargo +nightly fuzz)"
bash tools/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee "$LOGS/fuzz.log" | grep -E "^(==>|Done|#[0-9]+ *DONE|INFO: -max_total_time|ERROR|SUMMARY)" || true
grep -q "crash\|ERROR: libFuzzer" "$LOGS/fuzz.log" && { echo "fuzzing found a crash: see above"; exit 1; }

passed=0; failed=0
for f in "$LOGS"/native.log "$LOGS"/doc.log "$LOGS"/wasm.log; do
  while read -r p q; do passed=$((passed + p)); failed=$((failed + q)); done < <(
    sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$f")
done
e2e_summary=""
for engine in chromium firefox webkit; do
  tap="$LOGS/e2e-$engine.tap"; touch "$tap"
  p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$tap" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$tap" | tail -1)
  s=$(sed -n 's/^# skipped \([0-9]*\)/\1/p' "$tap" | tail -1)
  steps=$(wc -l < "$LOGS/e2e-$engine.skips")
  kinds=$(sort -u "$LOGS/e2e-$engine.skips" | wc -l)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  e2e_summary+=$(printf '\n  %-8s %3d passed, %d failed, %d tests skipped, %d steps skipped (%d kinds), %ss' \
    "$engine" "${p:-0}" "${f:-0}" "${s:-0}" "$steps" "$kinds" "$(cat "$LOGS/e2e-$engine.secs")")
  sort "$LOGS/e2e-$engine.skips" | uniq -c | sed 's/^/      /' >> "$LOGS/skips.txt"
done
[ "$e2e_failed" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
# A failing case's diagnostics go last, where a CI log's tail keeps them.
for engine in chromium firefox webkit; do
  awk -v e="$engine" '/^not ok /{on=1; n=0; print "failed on " e ":"} /^(ok|not ok) / && !/^not ok /{on=0}
    on && n++ < 40' "$LOGS/e2e-$engine.tap"
done
echo
echo "all test layers ran in $((SECONDS - started))s"
echo "end-to-end per engine:$e2e_summary"
echo "skipped steps:"; cat "$LOGS/skips.txt"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
