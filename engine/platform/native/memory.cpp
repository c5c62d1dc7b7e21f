#include <dirent.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/platform/memory.hpp"

namespace samovar::platform {

namespace {

// Resident pages of one process (/proc/<pid>/statm, second field), in bytes; 0 if it is gone.
std::size_t resident(const std::string& pid) {
  std::FILE* f = std::fopen(("/proc/" + pid + "/statm").c_str(), "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, pages = 0;
  const bool read = std::fscanf(f, "%lu %lu", &size, &pages) == 2;
  std::fclose(f);
  return read ? pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// The parent's pid from /proc/<pid>/stat: the field after the command, whose name may hold
// spaces and parentheses, so it is read from the last ')'.
long parent_of(const std::string& pid) {
  std::FILE* f = std::fopen(("/proc/" + pid + "/stat").c_str(), "r");
  if (f == nullptr) return -1;
  char buffer[512];
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
  std::fclose(f);
  buffer[n] = '\0';
  const char* close = std::strrchr(buffer, ')');
  if (close == nullptr) return -1;
  char state = 0;
  long ppid = -1;
  return std::sscanf(close + 1, " %c %ld", &state, &ppid) == 2 ? ppid : -1;
}

}  // namespace

// This process and its children (a pool's workers): what the OS holds for the run. The
// allocator first gives back the free memory it holds: memory an earlier run freed (samovar
// bench runs every request in one process) would otherwise stay resident, be reused, and hide
// what this run takes.
MemoryReading memory_in_use() {
  malloc_trim(0);
  std::size_t bytes = resident("self");
  const long self = static_cast<long>(getpid());
  if (DIR* proc = opendir("/proc")) {
    while (const dirent* entry = readdir(proc)) {
      if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
      if (parent_of(entry->d_name) == self) bytes += resident(entry->d_name);
    }
    closedir(proc);
  }
  return {bytes, "resident memory of the process and its children"};
}

}  // namespace samovar::platform
