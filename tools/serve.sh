#!/usr/bin/env bash
# Builds the release site and serves it on http://127.0.0.1:8080
# (PORT=NNNN to change the port). Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
source tools/env.sh
trunk build --release
PORT="${PORT:-8080}"
echo "pprof-lens is at http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
exec node tools/static-server.mjs --dir dist --host 127.0.0.1 --port "$PORT"
