// util/error.h -- the library's one error type, converted to COMEX_FAILURE at the C edge.
#pragma once

#include <stdexcept>
#include <string>

namespace comex {

/// Any failure inside the library.  The message names the argument or the
/// condition; the C entry point prefixes the function name and the rank.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string &what) : std::runtime_error(what) {}
};

/// printf-style formatting into a std::string.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace comex
