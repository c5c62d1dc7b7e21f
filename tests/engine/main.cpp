// Catch2's main, compiled here: Debian's Catch2WithMain archive is x86-only and wasm-ld
// cannot link it.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
