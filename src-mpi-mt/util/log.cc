// util/log.cc -- logging and small formatting helpers.
#include "util/log.h"

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <string>

#include "util/error.h"

namespace comex {

LogState g_log;

namespace {
std::string vformat(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap2);
  va_end(ap2);
  std::string s(n > 0 ? n : 0, '\0');
  if (n > 0) std::vsnprintf(&s[0], n + 1, fmt, ap);
  return s;
}
}  // namespace

std::string format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

void log_line(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string body = vformat(fmt, ap);
  va_end(ap);
  int r = g_log.rank.load(std::memory_order_relaxed);
  std::string line = r >= 0 ? format("comex-mt[%d] %s\n", r, body.c_str())
                            : format("comex-mt[?] %s\n", body.c_str());
  std::fwrite(line.data(), 1, line.size(), stderr);
}

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace comex
