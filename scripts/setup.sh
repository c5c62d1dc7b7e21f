#!/usr/bin/env bash
# Installs what samovar needs and builds both targets. Installs only what is missing, and
# rebuilds only what changed, so a second run costs next to nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang 14 builds both targets: Emscripten uses it, and g++ 12.2 miscompiles coroutine
# parameters (seen as double frees under ASan).
packages=(cmake ninja-build clang-14 clang-format-14 libclang-rt-14-dev emscripten catch2 nlohmann-json3-dev libcli11-dev libhttp-parser-dev libbenchmark-dev chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The page's plotting library and the browser driver; never a browser download.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

for preset in native wasm; do
  cmake --preset "$preset" >/dev/null  # cheap when nothing changed; picks up preset changes
  echo "setup: building $preset"
  cmake --build --preset "$preset"
done
