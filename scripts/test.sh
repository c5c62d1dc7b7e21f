#!/usr/bin/env bash
# Every test: engine tests natively, as WASM under node and under ASan+UBSan; CLI, server
# and browser tests against the native build. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan --target samovar_engine_tests

status=0
for preset in wasm asan-ubsan native; do
  echo "== ctest --preset $preset"
  ctest --preset "$preset" -j2 || status=1
done
exit $status
