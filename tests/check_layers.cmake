# Fails when an include points up the floor plan (DESIGN.md, "Layout"): surfaces -> the
# engine's one door -> scenarios -> models -> contract, trace -> platform. Each folder has a
# floor (workload/, which runs a spec under every model, sits between the scenarios and the
# models); a file may include its own folder and folders on lower floors only, so no two
# folders can include each other. Within the models the order is the one their code needs
# (net runs on asyncio, asyncio's run_in_executor on concurrent's pools, a process pool on
# multiprocessing's wire). Surfaces include the door alone, and a module's `detail::` is
# used inside that module only.
set(floors
  scenarios 10
  workload 9
  net 8
  asyncio 7
  threading 7
  concurrent 6
  multiprocessing 5
  contract 4
  trace 3
  platform 1)

function(floor_of relative out_floor out_folder)
  if(relative MATCHES "^([a-z_]+)/")
    set(folder ${CMAKE_MATCH_1})
  else()
    set(folder "door")  # engine/*.hpp, engine/*.cpp: the door and what is behind it
  endif()
  set(floor 11)
  list(FIND floors ${folder} index)
  if(index GREATER -1)
    math(EXPR index "${index} + 1")
    list(GET floors ${index} floor)
  endif()
  set(${out_floor} ${floor} PARENT_SCOPE)
  set(${out_folder} ${folder} PARENT_SCOPE)
endfunction()

set(offenders "")
file(GLOB_RECURSE engine_sources ${ROOT_DIR}/engine/*.hpp ${ROOT_DIR}/engine/*.cpp)
foreach(source IN LISTS engine_sources)
  file(RELATIVE_PATH relative ${ROOT_DIR}/engine ${source})
  floor_of(${relative} floor folder)
  file(STRINGS ${source} includes REGEX "^[ \t]*#include[ \t]*\"engine/")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE ".*\"engine/([^\"]+)\".*" "\\1" target "${line}")
    floor_of(${target} target_floor target_folder)
    if(NOT target_folder STREQUAL folder AND NOT target_floor LESS floor)
      list(APPEND offenders "engine/${relative} (${folder}) includes engine/${target} (${target_folder})")
    endif()
  endforeach()
  file(STRINGS ${source} details REGEX "[a-z_]+::detail::")
  foreach(line IN LISTS details)
    string(REGEX MATCHALL "[a-z_]+::detail::" used "${line}")
    foreach(use IN LISTS used)
      string(REPLACE "::detail::" "" module "${use}")
      if(NOT module STREQUAL folder AND NOT module STREQUAL "std")
        list(APPEND offenders "engine/${relative} (${folder}) uses ${module}::detail::")
      endif()
    endforeach()
  endforeach()
endforeach()

file(GLOB_RECURSE surface_sources ${ROOT_DIR}/native/*.cpp ${ROOT_DIR}/native/*.hpp ${ROOT_DIR}/web/*.cpp)
foreach(source IN LISTS surface_sources)
  file(RELATIVE_PATH relative ${ROOT_DIR} ${source})
  file(STRINGS ${source} includes REGEX "^[ \t]*#include[ \t]*\"engine/")
  foreach(line IN LISTS includes)
    if(NOT line MATCHES "\"engine/samovar\\.hpp\"")
      list(APPEND offenders "${relative} (a surface) includes past the door: ${line}")
    endif()
  endforeach()
endforeach()

if(offenders)
  list(JOIN offenders "\n  " text)
  message(FATAL_ERROR "Includes against the floor plan (DESIGN.md):\n  ${text}")
endif()
list(LENGTH engine_sources engine_count)
list(LENGTH surface_sources surface_count)
message(STATUS "${engine_count} engine and ${surface_count} surface files: every include points down")
