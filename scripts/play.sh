#!/usr/bin/env bash
# The playground: set up, build both targets, record native results, serve the page.
#   PORT=8000 (default) picks the port.
set -euo pipefail
cd "$(dirname "$0")/.."
# The CLI and the page only: the test binaries are built by scripts/test.sh.
bash scripts/setup.sh playground
samovar=build/native/native/samovar
echo "play: recording native results (samovar bench --quick, under a minute) (at ${SECONDS}s)"
"$samovar" bench --quick
# The static copy (build/site, README "Host it anywhere") carries the results just recorded.
echo "play: copying them into the static site, build/site (at ${SECONDS}s)"
cmake --build --preset wasm --target site >/dev/null
echo "Open the URL below in a browser (Chromium, Firefox); Ctrl-C stops the server."
exec "$samovar" serve --port "${PORT:-8000}"
