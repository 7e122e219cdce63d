// api_pending.cc -- mutex entry points: declared, not yet built.  Each returns COMEX_FAILURE with a message saying so.
#include "api.h"

using namespace comex;

namespace {
int not_yet(const char *fn) {
  return api_call(fn, [](Runtime &) {
    throw Error("not implemented yet in this version of comex-mt");
  });
}
}  // namespace

extern "C" {

int comex_create_mutexes(int) { return not_yet("comex_create_mutexes"); }
int comex_destroy_mutexes(void) { return not_yet("comex_destroy_mutexes"); }
int comex_lock(int, int) { return not_yet("comex_lock"); }
int comex_unlock(int, int) { return not_yet("comex_unlock"); }

}  // extern "C"
