/* The life cycle of a program written for GA's ComEx, in C:
 * comex_init_args starts MPI; put and get between neighbours, checked
 * element by element; comex_finalize leaves MPI up (MPI calls still work);
 * a second comex_init runs the library again on the same MPI; then the
 * program calls MPI_Finalize itself, which must succeed.  Exit status 0 on
 * success, a distinct code per failed step. */
#include <mpi.h>
#include <stdio.h>

#include "comex.h"

enum { kN = 257 };

/* Every rank writes kN ints into its right neighbour's block and reads them
 * back; round r salts the values. */
static int ring_round(int r) {
  int me = -1, n = 0, i, bad = 0;
  void *ptrs[64];
  int src[kN], back[kN];
  comex_group_rank(COMEX_GROUP_WORLD, &me);
  comex_group_size(COMEX_GROUP_WORLD, &n);
  if (n > 64) return 1;
  if (comex_malloc(ptrs, kN * sizeof(int), COMEX_GROUP_WORLD) != COMEX_SUCCESS) return 2;
  for (i = 0; i < kN; ++i) src[i] = r * 100000 + me * 1000 + i;
  const int right = (me + 1) % n, left = (me + n - 1) % n;
  if (comex_put(src, ptrs[right], kN * sizeof(int), right, COMEX_GROUP_WORLD) != COMEX_SUCCESS)
    return 3;
  comex_barrier(COMEX_GROUP_WORLD);
  for (i = 0; i < kN; ++i)
    if (((int *)ptrs[me])[i] != r * 100000 + left * 1000 + i) ++bad;
  if (comex_get(ptrs[right], back, kN * sizeof(int), right, COMEX_GROUP_WORLD) != COMEX_SUCCESS)
    return 4;
  for (i = 0; i < kN; ++i)
    if (back[i] != src[i]) ++bad;
  comex_barrier(COMEX_GROUP_WORLD);
  if (comex_free(ptrs[me], COMEX_GROUP_WORLD) != COMEX_SUCCESS) return 5;
  if (bad) fprintf(stderr, "[rank %d] round %d: %d ints wrong\n", me, r, bad);
  return bad ? 6 : 0;
}

int main(int argc, char **argv) {
  int initialized = 0, finalized = 0, rc, sum = 0;
  if (comex_init_args(&argc, &argv) != COMEX_SUCCESS) return 10;
  if ((rc = ring_round(1)) != 0) return 10 + rc;
  if (comex_finalize() != COMEX_SUCCESS) return 20;
  if (comex_initialized()) return 21;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized) {
    fprintf(stderr, "comex_finalize finalized MPI\n");
    return 22;
  }
  rc = 1;
  if (MPI_Allreduce(&rc, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS) return 23;
  if (comex_init() != COMEX_SUCCESS) return 30;
  if ((rc = ring_round(2)) != 0) return 30 + rc;
  if (comex_finalize() != COMEX_SUCCESS) return 40;
  if (MPI_Finalize() != MPI_SUCCESS) return 50;
  return 0;
}
