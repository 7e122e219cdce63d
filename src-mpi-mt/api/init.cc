// api/init.cc -- life cycle entry points.
#include <cstdio>
#include <cstdlib>

#include "api/api.h"

using namespace comex;

namespace {

const char *thread_level_name(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE:
      return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED:
      return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED:
      return "MPI_THREAD_SERIALIZED";
    default:
      return "MPI_THREAD_MULTIPLE";
  }
}

// MPI started by comex_init* is left up by comex_finalize (programs written
// for ComEx call MPI_Finalize themselves); if the program never does, it is
// finalised when the process exits, once the runtime is gone.
void finalize_mpi_at_exit() {
  int initialized = 0, finalized = 0;
  if (Runtime::instance()) return;  // comex_finalize never ran: MPI may be busy
  if (MPI_Initialized(&initialized) != MPI_SUCCESS || !initialized) return;
  if (MPI_Finalized(&finalized) != MPI_SUCCESS || finalized) return;
  if (MPI_Finalize() != MPI_SUCCESS) log_line("at exit: MPI_Finalize failed");
}

int start(const char *fn, int *argc, char ***argv, MPI_Comm comm) {
  if (Runtime::instance()) return COMEX_SUCCESS;  // a second init is harmless
  try {
    int initialized = 0, provided = 0;
    COMEX_MPI(MPI_Initialized(&initialized));
    if (!initialized) {
      if (comm != MPI_COMM_NULL) throw Error("comm: MPI is not initialised");
      COMEX_MPI(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided));
      if (std::atexit(finalize_mpi_at_exit) != 0)
        log_line("%s: cannot register MPI_Finalize at exit; call it before exiting", fn);
    } else {
      COMEX_MPI(MPI_Query_thread(&provided));
    }
    int world_rank = -1;
    COMEX_MPI(MPI_Comm_rank(comm == MPI_COMM_NULL ? MPI_COMM_WORLD : comm, &world_rank));
    g_log.rank.store(world_rank);
    Config cfg = Config::from_environment();
    if (provided < MPI_THREAD_MULTIPLE)
      throw Error(
          format("MPI provides %s but comex-mt needs MPI_THREAD_MULTIPLE: initialise "
                 "MPI with MPI_Init_thread(..., MPI_THREAD_MULTIPLE, ...) or let "
                 "comex_init initialise it",
                 thread_level_name(provided)));
    Runtime::create(comm == MPI_COMM_NULL ? MPI_COMM_WORLD : comm, cfg);
    return COMEX_SUCCESS;
  } catch (const std::exception &e) {
    report(fn, e.what());
    return COMEX_FAILURE;
  }
}

}  // namespace

extern "C" {

int comex_init(void) { return start("comex_init", nullptr, nullptr, MPI_COMM_NULL); }

int comex_init_args(int *argc, char ***argv) {
  return start("comex_init_args", argc, argv, MPI_COMM_NULL);
}

int comex_init_comm(MPI_Comm comm) {
  if (comm == MPI_COMM_NULL) {
    report("comex_init_comm", "comm is MPI_COMM_NULL");
    return COMEX_FAILURE;
  }
  return start("comex_init_comm", nullptr, nullptr, comm);
}

int comex_initialized(void) { return Runtime::instance() ? 1 : 0; }

int comex_finalize(void) {
  return api_call("comex_finalize", [](Runtime &) { Runtime::destroy(); });
}

void comex_error(const char *msg, int code) {
  log_line("error: %s (code %d); aborting the job", msg ? msg : "(null)", code);
  std::fflush(stderr);
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, code ? code : 1);
  std::abort();
}

}  // extern "C"
