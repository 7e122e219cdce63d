// util/config.cc -- parsing and describing the COMEX_* registry.
#include "util/config.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/error.h"

namespace comex {

const char *const kBindNames[4] = {"auto", "none", "spare", "core"};

namespace {

struct Entry {
  const char *name;
  const char *type;
  const char *def;
  const char *doc;
  int64_t Config::*field;
};

const Entry kEntries[] = {
#define COMEX_CONFIG_ENTRY(name, type, def, doc) {"COMEX_" #name, #type, def, doc, &Config::name},
    COMEX_CONFIG_LIST(COMEX_CONFIG_ENTRY)
#undef COMEX_CONFIG_ENTRY
};

void check_range(const Config &c) {
  if (c.MAX_LOCK_WAITERS < 1 || c.MAX_LOCK_WAITERS > 1024)
    throw Error(format("COMEX_MAX_LOCK_WAITERS=%lld must be between 1 and 1024",
                       (long long)c.MAX_LOCK_WAITERS));
  if (c.MAX_NB_OUTSTANDING < 1 || c.MAX_NB_OUTSTANDING > 65535 - c.MAX_LOCK_WAITERS)
    throw Error(
        format("COMEX_MAX_NB_OUTSTANDING=%lld must be between 1 and 65535 - COMEX_MAX_LOCK_WAITERS",
               (long long)c.MAX_NB_OUTSTANDING));
  if (c.EAGER_THRESHOLD > (int64_t(1) << 24))
    throw Error(
        format("COMEX_EAGER_THRESHOLD=%lld must be at most 16M", (long long)c.EAGER_THRESHOLD));
  if (c.MAX_MSG_BYTES < 1024 || c.MAX_MSG_BYTES > (int64_t(1) << 30))
    throw Error(
        format("COMEX_MAX_MSG_BYTES=%lld must be between 1K and 1G", (long long)c.MAX_MSG_BYTES));
  if (c.PACK_CHUNK < 64 || c.PACK_CHUNK > c.MAX_MSG_BYTES)
    throw Error(format("COMEX_PACK_CHUNK=%lld must be between 64 and COMEX_MAX_MSG_BYTES",
                       (long long)c.PACK_CHUNK));
  if (c.PACK_BUFFER < c.PACK_CHUNK)
    throw Error("COMEX_PACK_BUFFER must not be below COMEX_PACK_CHUNK");
  if (c.ACC_PIECE < 16 || c.ACC_PIECE > (int64_t(1) << 30))
    throw Error(format("COMEX_ACC_PIECE=%lld must be between 16 and 1G", (long long)c.ACC_PIECE));
  if (c.SERVE_BATCH < 1 || c.SERVE_BATCH > 65536)
    throw Error("COMEX_SERVE_BATCH must be between 1 and 65536");
  if (c.WAIT_GRACE_POLLS < 0 || c.WAIT_GRACE_POLLS > 1000000)
    throw Error("COMEX_WAIT_GRACE_POLLS must be between 0 and 1000000");
  if (c.WAIT_SERVE_EVERY < 1 || c.WAIT_SERVE_EVERY > 1000)
    throw Error("COMEX_WAIT_SERVE_EVERY must be between 1 and 1000");
  if (c.PROGRESS_NICE > 19) throw Error("COMEX_PROGRESS_NICE must be at most 19");
  if (c.PROGRESS_SLICE_US != 0 && (c.PROGRESS_SLICE_US < 100 || c.PROGRESS_SLICE_US > 100000))
    throw Error("COMEX_PROGRESS_SLICE_US must be 0 or between 100 and 100000");
  if (c.PEER_TIMEOUT_MS < 1 || c.PEER_TIMEOUT_MS > 86400000)
    throw Error("COMEX_PEER_TIMEOUT_MS must be between 1 and 86400000 (a day)");
  if (c.REFUSAL_LOG_LINES < 0 || c.REFUSAL_LOG_LINES > 1000000)
    throw Error("COMEX_REFUSAL_LOG_LINES must be between 0 and 1000000");
  if (c.PROGRESS_SLEEP_MAX_US < c.PROGRESS_SLEEP_MIN_US)
    throw Error("COMEX_PROGRESS_SLEEP_MAX_US must not be below COMEX_PROGRESS_SLEEP_MIN_US");
}

}  // namespace

int64_t parse_config_value(const char *name, const char *type, const char *text) {
  const bool is_bool = !std::strcmp(type, "BOOL");
  if (is_bool) {
    for (const char *t : {"1", "y", "yes", "on", "true"})
      if (!strcasecmp(text, t)) return 1;
    for (const char *f : {"0", "n", "no", "off", "false"})
      if (!strcasecmp(text, f)) return 0;
    throw Error(format("%s=\"%s\" is not a boolean (use 0 or 1)", name, text));
  }
  if (!std::strcmp(type, "BIND")) {
    for (int i = 0; i < 4; ++i)
      if (!strcasecmp(text, kBindNames[i])) return i;
    throw Error(format("%s=\"%s\" is not one of auto, none, spare, core", name, text));
  }
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || errno == ERANGE) throw Error(format("%s=\"%s\" is not a number", name, text));
  if (!std::strcmp(type, "SIZE")) {
    long long mult = 1;
    switch (*end) {
      case 'k':
      case 'K':
        mult = 1LL << 10;
        ++end;
        break;
      case 'm':
      case 'M':
        mult = 1LL << 20;
        ++end;
        break;
      case 'g':
      case 'G':
        mult = 1LL << 30;
        ++end;
        break;
      default:
        break;
    }
    if (*end == 'b' || *end == 'B') ++end;
    if (v > (1LL << 40)) throw Error(format("%s=\"%s\" is too large", name, text));
    v *= mult;
  }
  if (*end != '\0') throw Error(format("%s=\"%s\" has trailing characters", name, text));
  if (v < 0 && std::strcmp(type, "INT") != 0)
    throw Error(format("%s=\"%s\" must not be negative", name, text));
  return v;
}

Config Config::parse(const std::function<const char *(const char *)> &lookup) {
  Config c;
  for (const Entry &e : kEntries) {
    const char *v = lookup(e.name);
    if (v == nullptr || *v == '\0') v = e.def;
    c.*(e.field) = parse_config_value(e.name, e.type, v);
  }
  check_range(c);
  return c;
}

Config Config::from_environment() {
  return parse([](const char *name) -> const char * { return std::getenv(name); });
}

std::string Config::describe() const {
  std::string out;
  for (const Entry &e : kEntries) {
    const int64_t v = this->*(e.field);
    if (!std::strcmp(e.type, "BIND"))
      out += format("  %-28s = %s\n", e.name, kBindNames[v]);
    else
      out += format("  %-28s = %lld\n", e.name, (long long)v);
  }
  return out;
}

std::string config_markdown() {
  std::string out =
      "# Environment variables\n\n"
      "Every tuning knob of comex-mt, generated from `src-mpi-mt/util/config_defs.h` by\n"
      "`comex_info --markdown`. Values are read once, at `comex_init`; a malformed\n"
      "value makes `comex_init` fail with a message naming the variable.\n"
      "SIZE values take a K, M or G suffix; TIME_US values are microseconds;\n"
      "BIND is one of auto, none, spare, core.\n\n"
      "| variable | type | default | meaning |\n|---|---|---|---|\n";
  for (const Entry &e : kEntries)
    out += format("| `%s` | %s | %s | %s |\n", e.name, e.type, e.def, e.doc);
  return out;
}

}  // namespace comex
