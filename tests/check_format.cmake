# Fails when a C++ file differs from the committed .clang-format, and names the file and line.
# clang-format 14 exactly: another version formats the same code differently. JS inside EM_JS
# and EM_ASM is fenced with `// clang-format off`, as clang-format would break its operators.
if(NOT CLANG_FORMAT)
  message(FATAL_ERROR "clang-format-14 was not found; scripts/setup.sh installs it")
endif()
set(files)
foreach(dir engine native web tests bench fuzz)
  file(GLOB_RECURSE found ${ROOT_DIR}/${dir}/*.cpp ${ROOT_DIR}/${dir}/*.hpp ${ROOT_DIR}/${dir}/*.h)
  list(FILTER found EXCLUDE REGEX "/node_modules/")
  list(APPEND files ${found})
endforeach()
execute_process(
  COMMAND ${CLANG_FORMAT} --dry-run -Werror --style=file ${files}
  WORKING_DIRECTORY ${ROOT_DIR}
  RESULT_VARIABLE result
  ERROR_VARIABLE complaints)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${complaints}\nThese files differ from .clang-format. "
                      "To fix: clang-format-14 -i FILE...")
endif()
list(LENGTH files count)
message(STATUS "${count} files as .clang-format has them")
