#!/usr/bin/env bash
# Fuzzes each decoder, and the views over what they decode, for N seconds
# each (default 20) with cargo-fuzz on nightly, seeded with the shared corpus
# and, for the text decoders, fuzz/seeds/text (small files with every
# goroutine header form, for forms whose corpus files are over the seed size
# limit). The views target reads its first byte as the report options, so its
# seeds are corpus files behind one such byte each, a different one per file.
# Crash inputs land in fuzz/artifacts/<target>/; keep each as a regression
# test before fixing it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/env.sh
SECONDS_EACH="${1:-20}"
CORPUS_DIR="$(cd .. && pwd)/shared/corpus"
cargo +nightly fuzz build -O 2>&1 | tail -1
for target in pprof gzip text legacy views; do
  seeds="fuzz/corpus/$target"
  mkdir -p "$seeds"
  case $target in
    pprof|gzip) find "$CORPUS_DIR" -maxdepth 1 -name '*.pb.gz' -size -64k -exec cp -n {} "$seeds/" \; ;;
    text)
      find "$CORPUS_DIR" "$CORPUS_DIR/newer-go" "$CORPUS_DIR/go1.27" -maxdepth 1 -name '*.txt' -size -64k ! -name '*.top*' ! -name '*.raw.txt' ! -name '*.traces.txt' -exec cp -n {} "$seeds/" \;
      find "$CORPUS_DIR/legacy" -maxdepth 1 -type f ! -name '*.txt' ! -name '*.cpu' ! -name README.md -exec cp -n {} "$seeds/" \;
      cp -n fuzz/seeds/text/* "$seeds/" ;;
    legacy) find "$CORPUS_DIR/legacy" -maxdepth 1 -name '*.cpu' -exec cp -n {} "$seeds/" \; ;;
    views)
      i=0
      while IFS= read -r f; do
        i=$(( (i + 37) % 256 ))
        [ -e "$seeds/$(basename "$f")" ] || { printf "\\$(printf %03o "$i")"; cat "$f"; } > "$seeds/$(basename "$f")"
      done < <(find "$CORPUS_DIR" "$CORPUS_DIR/newer-go" "$CORPUS_DIR/go1.27" -maxdepth 1 -type f \( -name '*.pb.gz' -o -name '*.txt' \) -size -64k ! -name '*.top*' | sort) ;;
  esac
  echo "==> fuzz $target"
  cargo +nightly fuzz run -O "$target" "$seeds" -- -max_total_time="$SECONDS_EACH" -max_len=262144 -rss_limit_mb=2048 2>&1 | tail -4
done
