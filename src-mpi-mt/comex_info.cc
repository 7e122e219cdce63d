// comex_info -- print the COMEX_* registry (like ucx_info -c).
//   comex_info             effective values from the current environment
//   comex_info --markdown  the registry as Markdown (doc/env.md)
#include <cstdio>
#include <cstring>
#include <exception>

#include "util/config.h"

int main(int argc, char **argv) {
  if (argc > 1 && !std::strcmp(argv[1], "--markdown")) {
    std::fputs(comex::config_markdown().c_str(), stdout);
    return 0;
  }
  try {
    std::fputs(comex::Config::from_environment().describe().c_str(), stdout);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "comex_info: %s\n", e.what());
    return 1;
  }
  return 0;
}
