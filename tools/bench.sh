#!/usr/bin/env bash
# Native benchmark: generates synthetic profiles (once) into bench-out/ and
# runs examples/bench.rs over them and the corpus's largest real file.
#   tools/bench.sh [--runs N] [--no-go] [FILE...]
#   tools/bench.sh --series [--mb N] [--runs N]
#   tools/bench.sh --merge [--runs N] [--no-go]
# With FILEs, measures only those. With --series, times a goroutine series
# of three synthetic dumps of N MB (default 40) against one dump instead
# (examples/bench_series.rs). With --merge, times merging a fleet of CPU
# profiles, 100 files of 10k samples and 20 of 50k (1M samples each set),
# against go tool pprof -top on the same files (examples/bench_merge.rs).
# Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SYNTH=../shared/tools/synth_pprof.py
OUT=bench-out
mkdir -p "$OUT"

# name samples functions seed: ~1 MB, ~10 MB, ~100 MB uncompressed, and
# the reference file of issue 6 (1M samples, 50k functions, ~67 MB raw).
PROFILES=(
  "synth-1mb 15000 2000 2"
  "synth-10mb 170000 10000 2"
  "synth-100mb 1500000 50000 2"
  "synth-ref-1m 1000000 50000 1"
)

# Generates one profile unless a file made with the same arguments exists.
generate() {
  local name=$1 samples=$2 functions=$3 seed=$4
  local args=(--samples "$samples" --functions "$functions" --depth 48 --sample-types 2 --labels 2 --num-labels 1 --seed "$seed")
  local file="$OUT/$name.pb.gz"
  if [ -f "$file" ] && [ "$(cat "$file.args" 2>/dev/null)" = "${args[*]}" ]; then
    return
  fi
  echo "[bench] generating $file (${args[*]})" >&2
  python3 "$SYNTH" "${args[@]}" -o "$file.tmp" >&2
  echo >&2
  mv "$file.tmp" "$file"
  echo "${args[*]}" >"$file.args"
}

# A fleet of CPU profiles of one program, one seed per instance, into
# bench-out/merge-<count>x<samples>/.
generate_fleet() {
  local count=$1 samples=$2
  local dir="$OUT/merge-${count}x${samples}"
  local args="--kind cpu --samples $samples --functions 20000 --depth 32 --sample-types 2"
  mkdir -p "$dir"
  if [ "$(cat "$dir/args" 2>/dev/null)" = "$args" ] && [ -f "$dir/done" ]; then
    echo "$dir"
    return
  fi
  rm -f "$dir"/*.pb.gz "$dir/done"
  echo "[bench] generating $dir ($count files: $args)" >&2
  for i in $(seq 1 "$count"); do
    # shellcheck disable=SC2086
    python3 "$SYNTH" $args --seed "$i" -o "$dir/$(printf %03d "$i").pb.gz" >/dev/null 2>&1
  done
  echo "$args" >"$dir/args"
  touch "$dir/done"
  echo "$dir"
}

if [ "${1:-}" = "--merge" ]; then
  shift
  DIRS=("$(generate_fleet 100 10000)" "$(generate_fleet 20 50000)")
  cargo build --release --example bench_merge --quiet
  echo "# pprof-lens merge benchmark ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  exec "${CARGO_TARGET_DIR:-target}/release/examples/bench_merge" "$@" "${DIRS[@]}"
fi

if [ "${1:-}" = "--series" ]; then
  shift
  cargo build --release --example bench_series --quiet
  exec "${CARGO_TARGET_DIR:-target}/release/examples/bench_series" "$@"
fi

OPTS=()
FILES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) OPTS+=("$1" "$2"); shift 2 ;;
    --no-go) OPTS+=("$1"); shift ;;
    *) FILES+=("$1"); shift ;;
  esac
done
if [ ${#FILES[@]} -eq 0 ]; then
  for p in "${PROFILES[@]}"; do
    # shellcheck disable=SC2086
    generate $p
    FILES+=("$OUT/${p%% *}.pb.gz")
  done
  FILES+=(../shared/corpus/bigheap_callgraph.heap.pb.gz)
fi

cargo build --release --example bench --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/examples/bench"
echo "# pprof-lens native benchmark ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
exec "$BIN" "${OPTS[@]}" "${FILES[@]}"
