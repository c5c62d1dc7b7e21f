# Tests of the surfaces, written for node's test runner: the CLI (and its parity with the
# WASM build), the server, and the page in headless Chromium.
find_program(NODE_EXECUTABLE node REQUIRED)
set(SAMOVAR_WASM_MODULE ${PROJECT_SOURCE_DIR}/build/wasm/page/samovar.js CACHE FILEPATH "The WASM build's module, for parity tests")
set(SAMOVAR_TEST_RESULTS ${CMAKE_BINARY_DIR}/test-results/native.json)
set(node_env
  SAMOVAR_BIN=$<TARGET_FILE:samovar>
  SAMOVAR_WASM=${SAMOVAR_WASM_MODULE}
  SAMOVAR_NODE_RUN=${PROJECT_SOURCE_DIR}/web/node-run.mjs
  SAMOVAR_PAGE_DIR=${SAMOVAR_PAGE_DIR}
  SAMOVAR_RESULTS=${SAMOVAR_TEST_RESULTS}
  SAMOVAR_SITE_DIR=${PROJECT_SOURCE_DIR}/build/site
  SCREENSHOT=${CMAKE_BINARY_DIR}/test-results/page.png
  SCREENSHOT_DIR=${CMAKE_BINARY_DIR}/test-results/screenshots)

function(samovar_node_test name file timeout)
  add_test(NAME ${name} COMMAND ${NODE_EXECUTABLE} --test --test-reporter=spec ${PROJECT_SOURCE_DIR}/${file})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${timeout} ENVIRONMENT "${node_env}" ${ARGN})
endfunction()

samovar_node_test("cli: golden output, errors, parity with wasm" tests/cli/cli.test.mjs 900 LABELS cli)
samovar_node_test("bench: CPython beside native, and the results file" tests/bench/bench.test.mjs 600 LABELS cli)
samovar_node_test("server: headers, mime, traversal, delay" tests/server/server.test.mjs 600 LABELS server)

# The page compares with recorded native results, so record them first.
add_test(NAME "record native results for the page"
  COMMAND $<TARGET_FILE:samovar> bench --quick --out ${SAMOVAR_TEST_RESULTS})
set_tests_properties("record native results for the page" PROPERTIES TIMEOUT 300 FIXTURES_SETUP native_results LABELS browser)
samovar_node_test("browser: the page runs gather in WASM" tests/browser/page.test.mjs 900
  FIXTURES_REQUIRED native_results LABELS browser RESOURCE_LOCK chromium)
# Every other browser test file, one test each; one Chromium at a time, as each runs WASM threads
# that a second would starve on two cores.
file(GLOB browser_tests RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/browser/*.test.mjs)
list(REMOVE_ITEM browser_tests tests/browser/page.test.mjs)
foreach(file IN LISTS browser_tests)
  get_filename_component(stem ${file} NAME_WE)
  samovar_node_test("browser: ${stem}" ${file} 900
    FIXTURES_REQUIRED native_results LABELS browser RESOURCE_LOCK chromium)
endforeach()
