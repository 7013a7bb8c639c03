#!/bin/sh
# Regenerates the report-option oracles in this folder with `go tool pprof`
# (Go 1.27.3), from the shared corpus. Run from this folder:
#   CORPUS=/path/to/shared/corpus sh make.sh
# CASES.tsv lists each oracle: file name, profile (relative to the corpus),
# report (-top), then the pprof flags, space-separated.
set -eu
: "${CORPUS:?set CORPUS to the shared corpus folder}"
while IFS='	' read -r out file report flags; do
  case "$out" in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  go tool pprof -symbolize=none $report $flags "$CORPUS/$file" > "$out" 2>/dev/null
done < CASES.tsv
