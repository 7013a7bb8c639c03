#!/bin/sh
# Regenerates the report-option oracles in this folder with `go tool pprof`
# (Go 1.27.3), from the shared corpus. Run from this folder:
#   CORPUS=/path/to/shared/corpus sh make.sh
# CASES.tsv lists each oracle: file name, profiles (relative to the corpus,
# space-separated), report, then the pprof flags, space-separated. The
# report -top prints the profiles merged; -diff_base and -base compare the
# second profile (the new one) against the first (the base).
set -eu
: "${CORPUS:?set CORPUS to the shared corpus folder}"
while IFS='	' read -r out files report flags; do
  case "$out" in ''|'#'*) continue ;; esac
  set --
  for f in $files; do set -- "$@" "$CORPUS/$f"; done
  case "$report" in
    -top)
      # shellcheck disable=SC2086
      go tool pprof -symbolize=none -top $flags "$@" > "$out" 2>/dev/null ;;
    -diff_base|-base)
      # shellcheck disable=SC2086
      go tool pprof -symbolize=none -top "$report=$1" $flags "$2" > "$out" 2>/dev/null ;;
    *) echo "make.sh: unknown report $report" >&2; exit 1 ;;
  esac
done < CASES.tsv
