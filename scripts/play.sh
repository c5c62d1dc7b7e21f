#!/usr/bin/env bash
# The playground: set up, build both targets, record native results, serve the page.
#   PORT=8000 (default) picks the port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
samovar=build/native/native/samovar
"$samovar" bench --quick
# The static copy (build/site, README "Host it anywhere") carries the results just recorded.
cmake --build --preset wasm --target site >/dev/null
echo "Open the URL below in a browser (Chromium, Firefox); Ctrl-C stops the server."
exec "$samovar" serve --port "${PORT:-8000}"
