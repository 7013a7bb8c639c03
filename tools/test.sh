#!/usr/bin/env bash
# Runs every test: native `cargo test`, wasm-bindgen-test components in
# headless Chromium, the end-to-end tests against the built release site in
# headless Chromium, and a bounded fuzzing run per decoder. Installs whatever
# is missing first. FUZZ_SECONDS (default 20) bounds each fuzz target.
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

step "end-to-end tests in headless Chromium (tests/e2e, screenshots in tests/e2e/output)"
(cd tests/e2e && node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
   --test-reporter=tap --test-reporter-destination="$LOGS/e2e.tap" ./*.test.mjs)

step "fuzzing each decoder for ${FUZZ_SECONDS:-20}s (cargo +nightly fuzz)"
bash tools/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee "$LOGS/fuzz.log" | grep -E "^(==>|Done|#[0-9]+ *DONE|INFO: -max_total_time|ERROR|SUMMARY)" || true
grep -q "crash\|ERROR: libFuzzer" "$LOGS/fuzz.log" && { echo "fuzzing found a crash: see above"; exit 1; }

passed=0; failed=0
for f in "$LOGS"/native.log "$LOGS"/doc.log "$LOGS"/wasm.log; do
  while read -r p q; do passed=$((passed + p)); failed=$((failed + q)); done < <(
    sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$f")
done
e2e_pass=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$LOGS/e2e.tap" | tail -1)
e2e_fail=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$LOGS/e2e.tap" | tail -1)
passed=$((passed + ${e2e_pass:-0})); failed=$((failed + ${e2e_fail:-0}))
echo
echo "all test layers ran in $((SECONDS - started))s"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
