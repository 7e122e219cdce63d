// api_pending.cc -- strided, vector and mutex entry points: declared, not yet
// built.  Each returns COMEX_FAILURE with a message saying so.
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

int comex_puts(void *, int *, void *, int *, int *, int, int, comex_group_t) {
  return not_yet("comex_puts");
}
int comex_gets(void *, int *, void *, int *, int *, int, int, comex_group_t) {
  return not_yet("comex_gets");
}
int comex_accs(int, void *, void *, int *, void *, int *, int *, int, int, comex_group_t) {
  return not_yet("comex_accs");
}
int comex_nbputs(void *, int *, void *, int *, int *, int, int, comex_group_t,
                 comex_request_t *) {
  return not_yet("comex_nbputs");
}
int comex_nbgets(void *, int *, void *, int *, int *, int, int, comex_group_t,
                 comex_request_t *) {
  return not_yet("comex_nbgets");
}
int comex_nbaccs(int, void *, void *, int *, void *, int *, int *, int, int, comex_group_t,
                 comex_request_t *) {
  return not_yet("comex_nbaccs");
}
int comex_putv(comex_giov_t *, int, int, comex_group_t) { return not_yet("comex_putv"); }
int comex_getv(comex_giov_t *, int, int, comex_group_t) { return not_yet("comex_getv"); }
int comex_accv(int, void *, comex_giov_t *, int, int, comex_group_t) {
  return not_yet("comex_accv");
}
int comex_nbputv(comex_giov_t *, int, int, comex_group_t, comex_request_t *) {
  return not_yet("comex_nbputv");
}
int comex_nbgetv(comex_giov_t *, int, int, comex_group_t, comex_request_t *) {
  return not_yet("comex_nbgetv");
}
int comex_nbaccv(int, void *, comex_giov_t *, int, int, comex_group_t, comex_request_t *) {
  return not_yet("comex_nbaccv");
}
int comex_create_mutexes(int) { return not_yet("comex_create_mutexes"); }
int comex_destroy_mutexes(void) { return not_yet("comex_destroy_mutexes"); }
int comex_lock(int, int) { return not_yet("comex_lock"); }
int comex_unlock(int, int) { return not_yet("comex_unlock"); }

}  // extern "C"
