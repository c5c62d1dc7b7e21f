# Toolchain file of the wasm preset. A preset cannot search, so it names this file; this file
# finds Emscripten, node and the node module Emscripten's linker needs, then hands over to
# Emscripten's own toolchain file. Debian's locations are only the last guess.
#
# Override any of it on the command line: -DEMSCRIPTEN_ROOT_PATH=<emscripten>,
# -DNODE_EXECUTABLE=<node>, -DCMAKE_CROSSCOMPILING_EMULATOR=<node>,
# -DCMAKE_CXX_LINKER_LAUNCHER=<launcher>.
#
# CMake reads a toolchain file more than once (each try_compile again), so this one only
# looks things up and sets defaults; it never appends.

# Emscripten's root, the folder holding cmake/Modules/Platform/Emscripten.cmake. The first of:
# -DEMSCRIPTEN_ROOT_PATH, $EMSCRIPTEN, the folder of the em-config on the PATH (emsdk, a
# source checkout), what that em-config says EMSCRIPTEN_ROOT is (Debian's em-config is a
# wrapper script in /usr/bin), Debian's /usr/share/emscripten.
set(_samovar_em_platform cmake/Modules/Platform/Emscripten.cmake)
if(NOT EMSCRIPTEN_ROOT_PATH)
  set(_samovar_em_candidates "$ENV{EMSCRIPTEN}")
  find_program(EM_CONFIG_EXECUTABLE em-config DOC "Emscripten's em-config, to find its root")
  if(EM_CONFIG_EXECUTABLE)
    get_filename_component(_samovar_em_dir "${EM_CONFIG_EXECUTABLE}" REALPATH)
    get_filename_component(_samovar_em_dir "${_samovar_em_dir}" DIRECTORY)
    execute_process(COMMAND "${EM_CONFIG_EXECUTABLE}" EMSCRIPTEN_ROOT
      OUTPUT_VARIABLE _samovar_em_said OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    list(APPEND _samovar_em_candidates "${_samovar_em_dir}" "${_samovar_em_said}")
  endif()
  list(APPEND _samovar_em_candidates /usr/share/emscripten)
  foreach(_samovar_em_root IN LISTS _samovar_em_candidates)
    if(_samovar_em_root AND EXISTS "${_samovar_em_root}/${_samovar_em_platform}")
      set(EMSCRIPTEN_ROOT_PATH "${_samovar_em_root}" CACHE PATH
        "Emscripten's root (holds ${_samovar_em_platform})")
      break()
    endif()
  endforeach()
endif()
if(NOT EXISTS "${EMSCRIPTEN_ROOT_PATH}/${_samovar_em_platform}")
  message(FATAL_ERROR "Emscripten not found (EMSCRIPTEN_ROOT_PATH='${EMSCRIPTEN_ROOT_PATH}'; looked at "
    "-DEMSCRIPTEN_ROOT_PATH, $EMSCRIPTEN, em-config on the PATH, /usr/share/emscripten): run "
    "scripts/setup.sh, or pass -DEMSCRIPTEN_ROOT_PATH=<the folder holding ${_samovar_em_platform}>")
endif()

# The WASM tests run under node. Set the emulator ourselves: some Emscripten toolchain files
# default it to `node;--experimental-wasm-threads`, which node 20 rejects, and then
# catch_discover_tests finds 0 tests without failing (see TOOLCHAIN.md).
find_program(NODE_EXECUTABLE NAMES node nodejs DOC "node: runs the WASM tests and the node test runner")
if(NODE_EXECUTABLE AND NOT DEFINED CMAKE_CROSSCOMPILING_EMULATOR)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${NODE_EXECUTABLE}" CACHE FILEPATH "Runs the WASM tests")
endif()

# em++ links at -O1 and above run a node script that needs the module 'acorn'; a node that
# does not search Debian's /usr/share/nodejs fails with `Cannot find module 'acorn'`. The
# linker launcher (a cache variable, so a bare `cmake --build` gets it too, unlike a preset's
# environment) tells node where acorn is.
find_path(EMSCRIPTEN_NODE_PATH NAMES acorn/package.json
  PATHS "${EMSCRIPTEN_ROOT_PATH}/node_modules" ENV NODE_PATH /usr/share/nodejs
  NO_DEFAULT_PATH DOC "A node_modules folder holding 'acorn', which em++ needs to link")
if(EMSCRIPTEN_NODE_PATH AND NOT DEFINED CMAKE_CXX_LINKER_LAUNCHER)
  set(CMAKE_CXX_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=${EMSCRIPTEN_NODE_PATH}"
    CACHE STRING "Runs em++'s link step with node finding 'acorn'")
elseif(NOT EMSCRIPTEN_NODE_PATH)
  message(WARNING "node module 'acorn' not found (Debian: package node-acorn): optimized em++ links "
    "may fail with `Cannot find module 'acorn'`; pass -DEMSCRIPTEN_NODE_PATH=<node_modules folder>")
endif()

include("${EMSCRIPTEN_ROOT_PATH}/${_samovar_em_platform}")
unset(_samovar_em_platform)
unset(_samovar_em_candidates)
unset(_samovar_em_dir)
unset(_samovar_em_said)
unset(_samovar_em_root)
