# Header-only dependencies, found through their own CMake packages. The Emscripten toolchain
# searches only its sysroot, so they are looked for on the host (NO_CMAKE_FIND_ROOT_PATH):
# they are headers, as good for WASM as for native. Their imported targets carry
# `-isystem /usr/include`, which would put glibc's headers in front of the WASM libc
# (`wchar.h: 'bits/libc-header-start.h' file not found`), so each gets an interface target
# of our own whose include folder holds only a symlink to the one folder it needs.
set(SAMOVAR_DEPS_INCLUDE ${CMAKE_BINARY_DIR}/deps/include)
function(samovar_header_dependency name package_target header)
  # The package's include folder that holds `header`; its first folder is what we link to.
  get_target_property(package_dirs ${package_target} INTERFACE_INCLUDE_DIRECTORIES)
  set(found "")
  foreach(dir IN LISTS package_dirs)
    if(EXISTS ${dir}/${header})
      set(found ${dir})
      break()
    endif()
  endforeach()
  if(NOT found)
    message(FATAL_ERROR "${package_target} has no ${header} in its include folders (${package_dirs})")
  endif()
  string(REGEX REPLACE "/.*" "" subdir ${header})
  file(MAKE_DIRECTORY ${SAMOVAR_DEPS_INCLUDE})
  file(CREATE_LINK ${found}/${subdir} ${SAMOVAR_DEPS_INCLUDE}/${subdir} SYMBOLIC)
  add_library(samovar_dep_${name} INTERFACE)
  add_library(samovar::${name} ALIAS samovar_dep_${name})
  target_include_directories(samovar_dep_${name} SYSTEM INTERFACE ${SAMOVAR_DEPS_INCLUDE})
endfunction()

# Missing packages: run scripts/setup.sh (it installs Debian's), or point <Package>_DIR at one.
find_package(nlohmann_json 3 CONFIG REQUIRED NO_CMAKE_FIND_ROOT_PATH)
samovar_header_dependency(json nlohmann_json::nlohmann_json nlohmann/json.hpp)
# Catch2 2.x: the single header <catch2/catch.hpp>. Its package also puts its Catch.cmake
# (catch_discover_tests) on CMAKE_MODULE_PATH, for tests/.
find_package(Catch2 2 CONFIG REQUIRED NO_CMAKE_FIND_ROOT_PATH)
samovar_header_dependency(catch2 Catch2::Catch2 catch2/catch.hpp)
if(NOT EMSCRIPTEN)
  find_package(CLI11 2 CONFIG REQUIRED)
  samovar_header_dependency(cli11 CLI11::CLI11 CLI/CLI.hpp)
  # http-parser ships no CMake package (nor a pkg-config file) in Debian.
  find_library(HTTP_PARSER_LIBRARY http_parser REQUIRED)
  find_path(HTTP_PARSER_INCLUDE_DIR http_parser.h REQUIRED)
  add_library(samovar_dep_http_parser INTERFACE)
  add_library(samovar::http_parser ALIAS samovar_dep_http_parser)
  target_include_directories(samovar_dep_http_parser SYSTEM INTERFACE ${HTTP_PARSER_INCLUDE_DIR})
  target_link_libraries(samovar_dep_http_parser INTERFACE ${HTTP_PARSER_LIBRARY})
endif()
