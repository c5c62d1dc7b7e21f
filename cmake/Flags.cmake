# Compiler flags live in INTERFACE targets so every target opts in the same way.
add_library(samovar_warnings INTERFACE)
add_library(samovar::warnings ALIAS samovar_warnings)
target_compile_options(samovar_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion $<$<BOOL:${EMSCRIPTEN}>:-Wno-deprecated-experimental-coroutine>)

# Threads and exceptions: Emscripten adds neither by itself (see TOOLCHAIN.md), and
# -fwasm-exceptions is broken with pthreads in 3.1.6, so JS-based -fexceptions it is.
add_library(samovar_platform_flags INTERFACE)
add_library(samovar::platform_flags ALIAS samovar_platform_flags)
if(EMSCRIPTEN)
  # -mtail-call: coroutine symmetric transfer compiles to tail calls (V8 has them since 11.2).
  target_compile_options(samovar_platform_flags INTERFACE -pthread -fexceptions -mtail-call)
  target_link_options(samovar_platform_flags INTERFACE -pthread -fexceptions -mtail-call
    -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sINITIAL_MEMORY=128MB
    -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0)
else()
  find_package(Threads REQUIRED)
  target_link_libraries(samovar_platform_flags INTERFACE Threads::Threads)
endif()

# Sanitizers must instrument every translation unit, so they are set globally by preset.
set(SAMOVAR_SANITIZE "" CACHE STRING "Sanitizers for the whole build: '', 'address,undefined' or 'thread'")
if(SAMOVAR_SANITIZE)
  add_compile_options(-fsanitize=${SAMOVAR_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${SAMOVAR_SANITIZE})
  # Clang 14's function sanitizer (part of 'undefined') cannot lay out coroutine frames'
  # split functions ("Cannot represent a difference across sections").
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND SAMOVAR_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
