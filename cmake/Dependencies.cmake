# Header-only dependencies from Debian's packages. Their CMake packages are not found under
# the Emscripten toolchain, and their `-isystem /usr/include` would put glibc headers in
# front of the WASM libc, so each gets an interface target whose include folder holds
# only a symlink to the one folder it needs.
set(SAMOVAR_DEPS_INCLUDE ${CMAKE_BINARY_DIR}/deps/include)
function(samovar_header_dependency name subdir)
  set(source /usr/include/${subdir})
  if(NOT EXISTS ${source})
    message(FATAL_ERROR "${source} is missing: run scripts/setup.sh (it installs Debian's packages)")
  endif()
  file(MAKE_DIRECTORY ${SAMOVAR_DEPS_INCLUDE})
  file(CREATE_LINK ${source} ${SAMOVAR_DEPS_INCLUDE}/${subdir} SYMBOLIC)
  add_library(samovar_dep_${name} INTERFACE)
  add_library(samovar::${name} ALIAS samovar_dep_${name})
  target_include_directories(samovar_dep_${name} SYSTEM INTERFACE ${SAMOVAR_DEPS_INCLUDE})
endfunction()

samovar_header_dependency(json nlohmann)
samovar_header_dependency(catch2 catch2)
if(NOT EMSCRIPTEN)
  samovar_header_dependency(cli11 CLI)
  find_library(HTTP_PARSER_LIBRARY http_parser REQUIRED)
  find_path(HTTP_PARSER_INCLUDE_DIR http_parser.h REQUIRED)
  add_library(samovar_dep_http_parser INTERFACE)
  add_library(samovar::http_parser ALIAS samovar_dep_http_parser)
  target_link_libraries(samovar_dep_http_parser INTERFACE ${HTTP_PARSER_LIBRARY})
endif()
