/* A program built the way users build against an installed comex-mt: with
 * pkg-config (`cc prog.c $(pkg-config --cflags --libs armci)`) or CMake
 * (find_package(comex), target comex::armci).  Each rank writes a pattern
 * into its right neighbour's block with ARMCI_Put, reads its left
 * neighbour's block back with comex_get, and checks every element. */
#include <armci.h>
#include <comex.h>
#include <mpi.h>
#include <stdio.h>

enum { kCount = 1000 };

int main(int argc, char **argv) {
  if (ARMCI_Init_args(&argc, &argv) != 0) return 1;
  const int me = armci_msg_me(), n = armci_msg_nproc();
  const int right = (me + 1) % n, left = (me + n - 1) % n;
  void *ptrs[64];
  if (n > 64 || ARMCI_Malloc(ptrs, kCount * sizeof(long)) != 0) return 1;

  long mine[kCount], back[kCount];
  for (int i = 0; i < kCount; ++i) mine[i] = 1000003L * me + i;
  int bad = ARMCI_Put(mine, ptrs[right], (int)sizeof mine, right) != 0;
  ARMCI_Barrier();
  /* My block now holds my left neighbour's pattern; read the right
   * neighbour's block (mine) through ComEx. */
  bad |= comex_get(ptrs[right], back, (int)sizeof back, right, COMEX_GROUP_WORLD) != COMEX_SUCCESS;
  for (int i = 0; i < kCount; ++i) {
    const long *got = (const long *)ptrs[me];
    if (got[i] != 1000003L * left + i || back[i] != mine[i]) {
      fprintf(stderr, "consumer[%d]: element %d wrong\n", me, i);
      bad = 1;
      break;
    }
  }
  armci_msg_igop(&bad, 1, "max");
  if (me == 0) printf("consumer: %d ranks, %s\n", n, bad ? "FAILED" : "data correct");
  ARMCI_Barrier();
  ARMCI_Free(ptrs[me]);
  ARMCI_Finalize();
  MPI_Finalize();
  return bad;
}
