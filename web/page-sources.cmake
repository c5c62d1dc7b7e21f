# Script mode (cmake -P): copies each scenario's sources beside the page, for its Code panel:
# the C++ that samovar runs (engine/scenarios/<name>.cpp, under src/cpp/ at its repository
# path, which is how a report's output line names it in `src`) and the guide's Python as
# CPython runs it (bench/python/<name>.py, under src/python/), with src/index.json saying
# which files are a scenario's: {"gather": {"cpp": "cpp/engine/...", "python": "python/..."}}.
# Needs ROOT (the repository) and OUT (the page folder).
set(src_out ${OUT}/src)
file(GLOB cpp_files ${ROOT}/engine/scenarios/*.cpp)
list(SORT cpp_files)
set(entries "")
foreach(cpp ${cpp_files})
  get_filename_component(stem ${cpp} NAME_WE)
  string(REPLACE "_" "-" id ${stem})
  # A scenario's file names its id first in its spec: {"gather", ...
  file(READ ${cpp} text)
  string(FIND "${text}" "{\"${id}\"," at)
  if(at EQUAL -1)
    continue()
  endif()
  file(RELATIVE_PATH rel ${ROOT} ${cpp})
  configure_file(${cpp} ${src_out}/cpp/${rel} COPYONLY)
  set(entry "\"${id}\": {\"cpp\": \"cpp/${rel}\"")
  set(py ${ROOT}/bench/python/${stem}.py)
  if(EXISTS ${py})
    configure_file(${py} ${src_out}/python/${stem}.py COPYONLY)
    string(APPEND entry ", \"python\": \"python/${stem}.py\"")
  endif()
  list(APPEND entries "${entry}}")
endforeach()
list(JOIN entries ",\n " body)
set(index "{${body}}\n")
set(index_file ${src_out}/index.json)
if(EXISTS ${index_file})
  file(READ ${index_file} old)
endif()
if(NOT "${old}" STREQUAL "${index}")
  file(WRITE ${index_file} "${index}")
endif()
