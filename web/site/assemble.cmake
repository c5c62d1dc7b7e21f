# Writes the static copy of the page (README, "Host it anywhere"): the built page folder, the
# service worker that isolates it on a host that sends no headers, and the recorded results.
#   cmake -DPAGE_DIR=... -DSERVICE_WORKER=.../sw.js -DRESULTS=.../native.json -DSITE_DIR=... -P assemble.cmake
# Made afresh each time, so a file gone from the page is gone here too; file(COPY) keeps each
# file's time, so a static host's Last-Modified changes only with the file.
foreach(var PAGE_DIR SERVICE_WORKER RESULTS SITE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "assemble.cmake: set -D${var}")
  endif()
endforeach()
if(NOT EXISTS ${PAGE_DIR}/samovar.wasm)
  message(FATAL_ERROR "assemble.cmake: no built page in ${PAGE_DIR} (build the wasm preset)")
endif()

file(REMOVE_RECURSE ${SITE_DIR})
file(COPY ${PAGE_DIR}/ DESTINATION ${SITE_DIR})
# At the top, so that its scope is the whole copy.
file(COPY ${SERVICE_WORKER} DESTINATION ${SITE_DIR})
if(EXISTS ${RESULTS})
  file(COPY ${RESULTS} DESTINATION ${SITE_DIR}/results)
  message(STATUS "static copy in ${SITE_DIR}, with the results recorded in ${RESULTS}")
else()
  message(STATUS "static copy in ${SITE_DIR}, without recorded results (the page says so): "
                 "run `samovar bench`, then build the site target again")
endif()
