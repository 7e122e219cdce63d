// Unit tests of the COMEX_* registry: defaults, parsing, errors, docs.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "util/config.h"
#include "util/error.h"

using comex::Config;

namespace {
Config parse(const std::map<std::string, std::string> &env) {
  return Config::parse([&](const char *name) -> const char * {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}
}  // namespace

TEST(Config, Defaults) {
  Config c = parse({});
  EXPECT_EQ(c.MAX_NB_OUTSTANDING, 256);
  EXPECT_EQ(c.EAGER_THRESHOLD, 8192);
  EXPECT_EQ(c.MAX_MSG_BYTES, 1 << 30);
  EXPECT_EQ(c.VERBOSE, 0);
  EXPECT_LE(c.PROGRESS_SLEEP_MIN_US, c.PROGRESS_SLEEP_MAX_US);
}

TEST(Config, SizesWithSuffixes) {
  EXPECT_EQ(parse({{"COMEX_EAGER_THRESHOLD", "4K"}}).EAGER_THRESHOLD, 4096);
  EXPECT_EQ(parse({{"COMEX_EAGER_THRESHOLD", "1m"}}).EAGER_THRESHOLD, 1 << 20);
  EXPECT_EQ(parse({{"COMEX_EAGER_THRESHOLD", "100"}}).EAGER_THRESHOLD, 100);
  EXPECT_EQ(parse({{"COMEX_MAX_MSG_BYTES", "64KB"}}).MAX_MSG_BYTES, 65536);
  EXPECT_EQ(parse({{"COMEX_EAGER_THRESHOLD", ""}}).EAGER_THRESHOLD, 8192);  // empty = default
}

TEST(Config, BadValuesNameTheVariable) {
  const std::map<std::string, std::string> bad[] = {
      {{"COMEX_MAX_NB_OUTSTANDING", "abc"}},
      {{"COMEX_MAX_NB_OUTSTANDING", "0"}},
      {{"COMEX_MAX_NB_OUTSTANDING", "70000"}},
      {{"COMEX_EAGER_THRESHOLD", "-5"}},
      {{"COMEX_EAGER_THRESHOLD", "12Q"}},
      {{"COMEX_MAX_MSG_BYTES", "10"}},
      {{"COMEX_PROGRESS_SLEEP_MIN_US", "5000"}, {"COMEX_PROGRESS_SLEEP_MAX_US", "10"}},
  };
  for (const auto &env : bad) {
    try {
      parse(env);
      ADD_FAILURE() << "accepted " << env.begin()->first << "=" << env.begin()->second;
    } catch (const comex::Error &e) {
      EXPECT_NE(std::string(e.what()).find("COMEX_"), std::string::npos) << e.what();
    }
  }
}

TEST(Config, BooleanValues) {
  EXPECT_EQ(comex::parse_config_value("X", "BOOL", "yes"), 1);
  EXPECT_EQ(comex::parse_config_value("X", "BOOL", "0"), 0);
  EXPECT_THROW(comex::parse_config_value("X", "BOOL", "maybe"), comex::Error);
}

TEST(Config, BindValues) {
  EXPECT_EQ(parse({}).PROGRESS_BIND, comex::kBindAuto);
  EXPECT_EQ(parse({{"COMEX_PROGRESS_BIND", "spare"}}).PROGRESS_BIND, comex::kBindSpare);
  EXPECT_EQ(parse({{"COMEX_PROGRESS_BIND", "CORE"}}).PROGRESS_BIND, comex::kBindCore);
  EXPECT_EQ(parse({{"COMEX_PROGRESS_BIND", "none"}}).PROGRESS_BIND, comex::kBindNone);
  EXPECT_THROW(parse({{"COMEX_PROGRESS_BIND", "socket"}}), comex::Error);
  EXPECT_NE(parse({{"COMEX_PROGRESS_BIND", "spare"}}).describe().find("= spare"),
            std::string::npos);
  EXPECT_EQ(parse({}).SHM, 1);
  EXPECT_EQ(parse({{"COMEX_SHM", "0"}}).SHM, 0);
}

TEST(Config, DescribeListsEveryVariable) {
  std::string d = parse({}).describe();
  for (const char *name : {"COMEX_MAX_NB_OUTSTANDING", "COMEX_EAGER_THRESHOLD",
                           "COMEX_PROGRESS_SLEEP_MAX_US", "COMEX_VERBOSE"})
    EXPECT_NE(d.find(name), std::string::npos) << name;
}

// doc/env.md is generated from the registry; it must not drift.
TEST(Config, DocEnvMdIsCurrent) {
  const char *top = std::getenv("top_srcdir");
  std::ifstream f(std::string(top ? top : ".") + "/doc/env.md");
  ASSERT_TRUE(f) << "doc/env.md not found (run from the build tree with top_srcdir set)";
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), comex::config_markdown())
      << "regenerate with: src-mpi-mt/comex_info --markdown > doc/env.md";
}

// The README's table has one row per variable of the registry, with the
// registry's default, and no row for anything else.
TEST(Config, ReadmeTableMatchesTheRegistry) {
  const char *top = std::getenv("top_srcdir");
  std::ifstream f(std::string(top ? top : ".") + "/README.md");
  ASSERT_TRUE(f) << "README.md not found";
  std::map<std::string, std::string> rows;  // name -> default column
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("| `COMEX_", 0) != 0) continue;
    const size_t end = line.find('`', 3);
    const size_t bar = line.find('|', end);
    const size_t next = line.find('|', bar + 1);
    ASSERT_TRUE(end != std::string::npos && bar != std::string::npos && next != std::string::npos)
        << "README.md row not of the form | `NAME` | default | ...: " << line;
    std::string def = line.substr(bar + 1, next - bar - 1);
    def.erase(0, def.find_first_not_of(' '));
    def.erase(def.find_last_not_of(' ') + 1);
    EXPECT_TRUE(rows.emplace(line.substr(3, end - 3), def).second) << "README.md: twice: " << line;
  }
  size_t registered = 0;
#define COMEX_README_ROW(name, type, def, doc)                                    \
  ++registered;                                                                   \
  if (rows.count("COMEX_" #name))                                                 \
    EXPECT_EQ(rows["COMEX_" #name], def) << "README.md: default of COMEX_" #name; \
  else                                                                            \
    ADD_FAILURE() << "COMEX_" #name " missing from README.md's table";
  COMEX_CONFIG_LIST(COMEX_README_ROW)
#undef COMEX_README_ROW
  EXPECT_EQ(rows.size(), registered)
      << "README.md's table has rows for variables not in the registry";
}
