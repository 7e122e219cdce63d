// How the ARMCI suite starts and ends (testing/common/test_main.h).
// `--init=MODE` chooses how MPI and ARMCI start, as programs do:
//   mpi     MPI_Init (libarmci's, which asks for MPI_THREAD_MULTIPLE), ARMCI_Init
//   thread  MPI_Init_thread(MPI_THREAD_MULTIPLE), ARMCI_Init_args
//   armci   ARMCI_Init_args only (ComEx starts and finalizes MPI)
//   comm    MPI_Init, ARMCI_Init_mpi_comm(MPI_COMM_WORLD)
//   armci-thread  ARMCI_Init_thread(MPI_THREAD_MULTIPLE) only (ARMCI-MPI's call)
//   thread-comm   MPI_Init, ARMCI_Init_thread_comm(MPI_THREAD_SINGLE, MPI_COMM_WORLD)
#include <cstdio>
#include <cstring>
#include <string>

#include "armci.h"
#include "armci_test_util.h"
#include "message.h"
#include "test_main.h"

namespace {

bool g_we_own_mpi = true;  // the program (not ARMCI) started MPI

int Fail(const char *what) {
  std::fprintf(stderr, "armci test main: %s\n", what);
  return 1;
}

}  // namespace

namespace testmain {

int Start(int *argc, char ***argv) {
  std::string mode = "mpi";
  for (int i = 1; i < *argc; ++i)
    if (std::strncmp((*argv)[i], "--init=", 7) == 0) mode = (*argv)[i] + 7;

  if (ARMCI_Initialized()) return Fail("ARMCI_Initialized() is 1 before ARMCI_Init");
  if (mode == "mpi" || mode == "comm" || mode == "thread-comm") {
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return Fail("MPI_Init failed");
  } else if (mode == "thread") {
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS)
      return Fail("MPI_Init_thread failed");
  } else if (mode == "armci" || mode == "armci-thread") {
    g_we_own_mpi = false;
  } else {
    return Fail("unknown --init mode (mpi, thread, armci, comm, armci-thread, thread-comm)");
  }
  if (g_we_own_mpi) {
    // libarmci's MPI_Init/MPI_Init_thread always ask for MPI_THREAD_MULTIPLE.
    int level = -1;
    MPI_Query_thread(&level);
    if (level != MPI_THREAD_MULTIPLE) return Fail("MPI did not start with MPI_THREAD_MULTIPLE");
  }
  int rc = 0;
  if (mode == "mpi") rc = ARMCI_Init();
  if (mode == "thread" || mode == "armci") rc = ARMCI_Init_args(argc, argv);
  if (mode == "comm") rc = ARMCI_Init_mpi_comm(MPI_COMM_WORLD) == 1 ? 0 : 1;
  if (mode == "armci-thread") rc = ARMCI_Init_thread(MPI_THREAD_MULTIPLE);
  if (mode == "thread-comm") rc = ARMCI_Init_thread_comm(MPI_THREAD_SINGLE, MPI_COMM_WORLD);
  if (rc != 0) return Fail("ARMCI initialisation failed");
  if (ARMCI_Initialized() != 1) return Fail("ARMCI_Initialized() is not 1 after ARMCI_Init");
  if (armci_msg_me() == 0)
    std::printf("[armci] init mode: %s, %d ranks\n", mode.c_str(), armci_msg_nproc());
  return 0;
}

MPI_Comm World() { return armcitest::World(); }

void Barrier() { ARMCI_Barrier(); }

int Finish(int rank) {
  int rc = 0;
  if (ARMCI_Finalize() != 0) rc = Fail("ARMCI_Finalize did not return 0");
  if (ARMCI_Finalize() != 0) rc = Fail("a second ARMCI_Finalize did not return 0");
  if (ARMCI_Initialized() != 0) rc = Fail("ARMCI_Initialized() is not 0 after ARMCI_Finalize");
  // ARMCI_Finalize leaves MPI up, whoever started it: the program finalises
  // it (or, when ARMCI started it, the library does at exit).
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized)
    return Fail(g_we_own_mpi ? "ARMCI_Finalize finalized MPI, which the program started"
                             : "ARMCI_Finalize finalized MPI; programs call MPI_Finalize after it");
  if (MPI_Finalize() != MPI_SUCCESS) rc = Fail("MPI_Finalize after ARMCI_Finalize failed");
  (void)rank;
  return rc;
}

}  // namespace testmain
