#!/usr/bin/env bash
# Installs what samovar needs and builds both targets. Installs only what is missing, and
# rebuilds only what changed, so a second run costs next to nothing.
#   setup.sh             everything, tests included (scripts/test.sh)
#   setup.sh playground  only what the playground runs: the CLI and the page (scripts/play.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
started=$SECONDS
# Each stage says what it does and, when done, how long it took: a first run takes minutes.
stage() { echo "setup: $1 (at ${SECONDS}s)"; }

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
  stage "installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The page's plotting library and the browser driver; never a browser download.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  stage "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

# `cmake --build` arguments per preset: every target, or the playground's.
native_build=(--preset native)
wasm_build=(--preset wasm)
scope=""
if [ "$what" = playground ]; then
  native_build+=(--target samovar)
  wasm_build+=(--target site)
  scope=", the playground only"
fi
cmake --preset native >/dev/null  # cheap when nothing changed; picks up preset changes
stage "building native$scope"
cmake --build "${native_build[@]}"
cmake --preset wasm >/dev/null
stage "building wasm$scope"
cmake --build "${wasm_build[@]}"
echo "setup: done in $((SECONDS - started))s"
