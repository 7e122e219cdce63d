// api/mutex.cc -- mutexes: created collectively, locked first come, first served.
#include "api/api.h"

using namespace comex;

extern "C" {

int comex_create_mutexes(int num) {
  return api_call("comex_create_mutexes", [&](Runtime &rt) { rt.create_mutexes(num); });
}

int comex_destroy_mutexes(void) {
  return api_call("comex_destroy_mutexes", [](Runtime &rt) { rt.destroy_mutexes(); });
}

int comex_lock(int mutex, int proc) {
  return api_call("comex_lock", [&](Runtime &rt) { rt.lock(mutex, proc); });
}

int comex_unlock(int mutex, int proc) {
  return api_call("comex_unlock", [&](Runtime &rt) { rt.unlock(mutex, proc); });
}

}  // extern "C"
