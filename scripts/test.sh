#!/usr/bin/env bash
# Every test: engine tests natively, as WASM under node, under ASan+UBSan (with the fuzz
# targets, 30 s each) and under TSan;
# CLI, server and browser tests against the native build. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

for preset in asan-ubsan tsan; do
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target samovar_engine_tests
done
# The fuzz targets (fuzz/, SAMOVAR_FUZZ in the asan-ubsan tree): its ctest runs each 30 s.
cmake --build --preset asan-ubsan --target samovar_fuzz

status=0
for preset in wasm asan-ubsan tsan native; do
  echo "== ctest --preset $preset"
  ctest --preset "$preset" -j2 || status=1
done
exit $status
