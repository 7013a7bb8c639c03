#!/usr/bin/env bash
# Native benchmark: generates synthetic profiles (once) into bench-out/ and
# runs examples/bench.rs over them and the corpus's largest real file.
#   tools/bench.sh [--runs N] [--no-go] [FILE...]
#   tools/bench.sh --series [--mb N] [--runs N]
#   tools/bench.sh --merge [--runs N] [--no-go]
#   tools/bench.sh --compare [--runs N]
#   tools/bench.sh --dump [--mb N] [--gb N] [--runs N] [--only PATH] [--no-go]
# With FILEs, measures only those. With --series, times a goroutine series
# of three synthetic dumps of N MB (default 40) against one dump instead
# (examples/bench_series.rs). With --merge, times merging a fleet of CPU
# profiles, 100 files of 10k samples and 20 of 50k (1M samples each set),
# against go tool pprof -top on the same files (examples/bench_merge.rs):
# fleets of one program (one 1M-sample profile's samples dealt out to the
# instances, each file holding only the locations, functions and strings
# its samples use, with its own ids: tools/split_pprof.py), as a service's
# fleet is, and of a different program per file (one seed each), where
# nothing is shared.
# With --compare, times two 1M-sample profiles (the reference file's seeds
# 7 and 8) compared, to the first flame scene, against one alone
# (examples/bench_compare.rs).
# With --dump, times big goroutine dumps (a real debug=2 dump repeated
# under fresh ids, made as it is read): N MB (default 431, the issue's
# 1M-goroutine dump) held whole and streamed, and N GB (default 4.4)
# streamed, with peak heap (examples/bench_dump.rs), beside a plain Go
# parser that only parses (bench/goparse) when go is on PATH.
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

# A fleet of a different program per file (one seed each), into
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

# A fleet of one program: a 1M-sample profile of generate_fleet's shape,
# its samples dealt out to <count> instances, into
# bench-out/fleet-<count>x<samples>/.
split_fleet() {
  local count=$1 samples=$2
  local dir="$OUT/fleet-${count}x${samples}" src="$OUT/fleet-source-1m.pb.gz"
  local args="--kind cpu --samples 1000000 --functions 20000 --depth 32 --sample-types 2 --seed 1"
  if [ "$(cat "$src.args" 2>/dev/null)" != "$args" ]; then
    echo "[bench] generating $src ($args)" >&2
    # shellcheck disable=SC2086
    python3 "$SYNTH" $args -o "$src.tmp" >&2 && mv "$src.tmp" "$src" && echo "$args" >"$src.args"
    rm -rf "$OUT"/fleet-*x*
  fi
  # A fleet split by another version of the splitter is split again.
  local splitter
  splitter=$(cksum <tools/split_pprof.py)
  if [ "$(head -n1 "$dir/done" 2>/dev/null)" != "$splitter" ]; then
    rm -rf "$dir"
    local figures
    figures=$(python3 tools/split_pprof.py "$src" "$count" "$dir")
    echo "$figures" >&2
    printf '%s\n%s\n' "$splitter" "$figures" >"$dir/done"
  fi
  echo "$dir"
}

if [ "${1:-}" = "--merge" ]; then
  shift
  DIRS=("$(split_fleet 100 10000)" "$(split_fleet 20 50000)" "$(generate_fleet 100 10000)" "$(generate_fleet 20 50000)")
  cargo build --release --example bench_merge --quiet
  echo "# pprof-lens merge benchmark ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  exec "${CARGO_TARGET_DIR:-target}/release/examples/bench_merge" "$@" "${DIRS[@]}"
fi

if [ "${1:-}" = "--compare" ]; then
  shift
  generate synth-seed7-1m 1000000 50000 7
  generate synth-seed8-1m 1000000 50000 8
  cargo build --release --example bench_compare --quiet
  exec "${CARGO_TARGET_DIR:-target}/release/examples/bench_compare" "$@" "$OUT/synth-seed7-1m.pb.gz" "$OUT/synth-seed8-1m.pb.gz"
fi

if [ "${1:-}" = "--dump" ]; then
  shift
  cargo build --release --example bench_dump --quiet
  echo "# pprof-lens dump benchmark ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  exec "${CARGO_TARGET_DIR:-target}/release/examples/bench_dump" "$@"
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
