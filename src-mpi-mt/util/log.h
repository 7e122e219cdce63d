// util/log.h -- levelled logging, every line prefixed with the rank; zero cost when off.
#pragma once

#include <atomic>
#include <cstdint>

namespace comex {

enum class LogLevel : int { kError = 0, kInfo = 1, kDebug = 2 };

struct LogState {
  std::atomic<int> level{0};
  std::atomic<int> rank{-1};
};
extern LogState g_log;

/// Write one line "comex-mt[rank] <message>" to stderr (atomic w.r.t. other lines).
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/// Monotonic clock in nanoseconds.
uint64_t now_ns();

}  // namespace comex

#define COMEX_LOG(lvl, ...)                                                            \
  do {                                                                                 \
    if (static_cast<int>(lvl) <= ::comex::g_log.level.load(std::memory_order_relaxed)) \
      ::comex::log_line(__VA_ARGS__);                                                  \
  } while (0)
#define COMEX_DEBUG(...) COMEX_LOG(::comex::LogLevel::kDebug, __VA_ARGS__)
