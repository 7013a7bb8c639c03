#!/usr/bin/env bash
# Regenerates the -peek oracles in this folder with the Go toolchain on PATH
# (made with go1.27.3): one file per (profile, regex), named
# PROFILE.N.peek.txt, the regex on its first line after "# regex: ".
# Usage: bash tests/data/peek/make.sh CORPUS_DIR
set -euo pipefail
corpus=${1:?usage: make.sh CORPUS_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cases=(
  "cpu_regexp_json.pb.gz|^regexp\.\(\*Regexp\)\.doExecute$"
  "cpu_regexp_json.pb.gz|^encoding/json\.\(\*decodeState\)\.(value|object|array)$"
  "cpu_regexp_json.pb.gz|^runtime\.mallocgc$"
  "cpu_regexp_json.pb.gz|^regexp/syntax\."
  "goroutine_states.pb.gz|^main\.descend$"
  "goroutine_states.pb.gz|^runtime\.gopark$"
  "heap_mapchurn.heap.pb.gz|^main\.newSession$"
  "heap_mapchurn.heap.pb.gz|^strings\.\(\*Builder\)\."
  "mutex_block.block.pb.gz|^sync\.\(\*Mutex\)\.Lock$"
  "go1.27/generics_catalog.cpu.pb.gz|^slices\.partitionOrdered"
  "go1.27/generics_catalog.cpu.pb.gz|^runtime\.wbBufFlush1$"
)
declare -A n
for c in "${cases[@]}"; do
  file=${c%%|*}
  rx=${c#*|}
  base=$(basename "$file" .pb.gz)
  n[$base]=$(( ${n[$base]:-0} + 1 ))
  out="$here/$base.${n[$base]}.peek.txt"
  {
    echo "# regex: $rx"
    echo "# go tool pprof -symbolize=none -peek REGEX $file"
    TZ=UTC go tool pprof -symbolize=none -peek "$rx" "$corpus/$file"
  } >"$out"
done
