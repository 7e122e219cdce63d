// util/config.h -- typed settings parsed once from COMEX_* environment variables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "util/config_defs.h"

namespace comex {

/// Values of COMEX_PROGRESS_BIND (type BIND), in the order of kBindNames.
enum BindMode : int64_t { kBindAuto = 0, kBindNone, kBindSpare, kBindCore };
extern const char *const kBindNames[4];

struct Config {
#define COMEX_CONFIG_FIELD(name, type, def, doc) int64_t name = 0;
  COMEX_CONFIG_LIST(COMEX_CONFIG_FIELD)
#undef COMEX_CONFIG_FIELD

  /// Parse every registered variable through `lookup` (getenv in production;
  /// a map in tests).  Throws comex::Error naming the variable on a bad value.
  static Config parse(const std::function<const char *(const char *)> &lookup);
  /// Parse from the process environment (the only getenv in the library).
  static Config from_environment();

  /// "COMEX_NAME = value" lines of the effective settings.
  std::string describe() const;
};

/// The registry as a Markdown table (doc/env.md is generated from this).
std::string config_markdown();

/// Parse one value of the given registry type ("BOOL", "INT", "SIZE",
/// "TIME_US", "BIND"); throws comex::Error mentioning `name` when it is malformed.
int64_t parse_config_value(const char *name, const char *type, const char *text);

}  // namespace comex
