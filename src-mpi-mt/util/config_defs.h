/*
 * config_defs.h -- the one registry of COMEX_* environment variables.
 *
 * X(field, TYPE, "default", "doc")  with TYPE one of BOOL, INT, SIZE, TIME_US
 * or BIND.  SIZE accepts a K, M or G suffix (powers of 1024); BIND is one of
 * the words auto, none, spare, core (stored as the BindMode index).  Expanded into the
 * Config struct, its parser, the COMEX_VERBOSE printout and doc/env.md.
 */
// clang-format off
#define COMEX_CONFIG_LIST(X)                                                                       \
  X(VERBOSE, INT, "0",                                                                             \
    "1 prints the effective settings once on rank 0 at init; 2 adds debug log lines of every "    \
    "rank (engine start/stop, allocations).")                                                      \
  X(MAX_NB_OUTSTANDING, INT, "256",                                                                \
    "Size of the pool of non-blocking handles (1 to 65535). When all are in use the oldest "      \
    "operation is completed first; a program never aborts because handles ran out.")              \
  X(MAX_LOCK_WAITERS, INT, "64",                                                                   \
    "Threads of a rank that may wait for a remote comex_lock at once (each such request has a "   \
    "handle of its own, outside COMEX_MAX_NB_OUTSTANDING); a further one waits for a grant.")      \
  X(EAGER_THRESHOLD, SIZE, "8K",                                                                   \
    "Payloads up to this size travel inside the request message, so a small put or accumulate "   \
    "is one MPI message; larger ones follow the header as a second message straight into place.") \
  X(MAX_MSG_BYTES, SIZE, "1G",                                                                     \
    "Largest single MPI message; longer transfers are split into pieces of at most this size "    \
    "(MPI counts are int).")                                                                       \
  X(PACK_THRESHOLD, SIZE, "32K",                                                                  \
    "Strided and vector transfers whose contiguous blocks are at least this long move block by "  \
    "block, straight between user memory and MPI; shorter blocks are packed into one stream.")   \
  X(PACK_CHUNK, SIZE, "64K",                                                                       \
    "A packed stream travels in messages of this size, so packing, transfer and unpacking "       \
    "overlap and the target's staging buffer stays small.")                                        \
  X(PACK_BUFFER, SIZE, "16M",                                                                      \
    "Largest staging buffer of one operation at the origin; a larger packed transfer proceeds "   \
    "in rounds of this size, so memory stays bounded.")                                            \
  X(ACC_PIECE, SIZE, "1M",                                                                         \
    "Accumulate payloads travel in pieces of at most this size (whole elements): the target "     \
    "stages one piece at a time under its accumulate lock.")                                       \
  X(SERVE_BATCH, INT, "64",                                                                        \
    "Most requests the engine serves in one go before it looks at its own state (a stop, a "      \
    "waiting thread) again.")                                                                      \
  X(PROGRESS_SPIN_US, TIME_US, "20",                                                               \
    "After a ring wakes it, the progress thread polls without pause until the request shows up, " \
    "at most this long; after a request from a rank that does not ring, it polls without pause "  \
    "for this long.")                                                                              \
  X(PROGRESS_LINGER_US, TIME_US, "5",                                                             \
    "After serving requests from ranks that ring, the progress thread polls without pause this "   \
    "long for more before it sleeps.")                                                            \
  X(PROGRESS_STREAK_US, TIME_US, "100",                                                           \
    "An origin whose last operation with a target it rings by network ended less than this long " \
    "ago marks its next request as part of a stream; after serving one, the target's progress "   \
    "thread polls for the next for twice the time that origin's requests were apart, at most "    \
    "this long, so a stream costs a round trip per operation instead of a wake-up. 0 = off.")    \
  X(PROGRESS_HOT_US, TIME_US, "5000",                                                              \
    "Until this long after the last request the progress thread polls every "                     \
    "PROGRESS_SLEEP_MIN_US; after that its sleep doubles up to PROGRESS_SLEEP_MAX_US.")            \
  X(PROGRESS_SLEEP_MIN_US, TIME_US, "2",                                                           \
    "Shortest sleep between polls of an idle progress thread (0 = sched_yield).")                 \
  X(PROGRESS_SLEEP_MAX_US, TIME_US, "1000",                                                        \
    "Longest sleep between polls of an idle progress thread: bounds the latency a request "       \
    "sees when it arrives after a long quiet spell.")                                              \
  X(PROGRESS_SLICE_US, TIME_US, "100",                                                            \
    "Scheduler time slice the progress thread asks for (Linux 6.12+ EEVDF, no privilege "         \
    "needed; the kernel allows 100 to 100000): a short slice lets its wake-ups preempt a "         \
    "computing thread at once instead of after the default slice. 0 = leave the default.")       \
  X(PROGRESS_SLEEP_BELL_US, TIME_US, "10000",                                                     \
    "Longest sleep of an idle progress thread when every other rank of the job rings its "        \
    "doorbell (all on one node sharing memory): a request wakes it at once, so it need not poll " \
    "often; only a ring that comes before its request is visible waits this long.")              \
  X(NET_BELL, BOOL, "1",                                                                          \
    "1: a rank that cannot ring a target's doorbell in shared memory (another node, or "          \
    "COMEX_SHM=0) sends it a UDP datagram when it has waited NET_BELL_DELAY_US for the target, " \
    "so the target's progress thread sleeps until it is needed instead of polling; 0: such "      \
    "requests keep the target polling (PROGRESS_HOT_US).")                                       \
  X(NET_BELL_DELAY_US, TIME_US, "10",                                                             \
    "An origin that has waited this long for a target it reaches by network (a get's data, a "   \
    "reply, a payload taken) rings the target's network doorbell: an awake target answers "      \
    "sooner and costs no datagram. At most one ring per this delay and target.")                 \
  X(NET_BELL_AGAIN_US, TIME_US, "200",                                                            \
    "An origin still waiting for a target it rang by network rings it again this often (a ring " \
    "that overtook its request may have found the target asleep once more).")                    \
  X(PROGRESS_NICE, INT, "0",                                                                      \
    "Experimental: nice value for the progress thread (negative needs CAP_SYS_NICE; 0 = "         \
    "leave as is).")                                                                               \
  X(PROGRESS_PARKED_US, TIME_US, "1000",                                                            \
    "While a thread of the rank waits inside a ComEx call (and serves requests itself) the "      \
    "progress thread sleeps this long between checks.")                                            \
  X(WAIT_GRACE_POLLS, INT, "32",                                                                   \
    "A thread waiting inside a ComEx call first polls only its own completion this many times "   \
    "(a round trip usually ends within them; serving costs an MPI call per poll), then also "     \
    "serves incoming requests.")                                                                   \
  X(WAIT_SERVE_EVERY, INT, "1",                                                                   \
    "A waiting thread checks for incoming requests on every Nth poll of its own completion.")    \
  X(SHM, BOOL, "1",                                                                              \
    "1: comex_malloc memory is shared among the ranks of a node and operations between them are " \
    "done directly by the origin (copies, atomics, shared locks); 0: every operation goes "      \
    "through the target's progress engine.")                                                       \
  X(SHM_ARENA, SIZE, "4M",                                                                        \
    "Shared memory each rank of a node reserves at comex_init for small comex_malloc blocks "     \
    "(at most SHM_ARENA_BLOCK each): they are carved out of it instead of being a segment of "    \
    "their own, so allocating and freeing them maps and unmaps nothing. At most an eighth of "   \
    "/dev/shm's free space is used for the node's arenas; below 256K a rank has none. 0 = "      \
    "every block is a segment.")                                                                   \
  X(SHM_ARENA_BLOCK, SIZE, "64K",                                                                 \
    "Largest comex_malloc block taken from the SHM_ARENA.")                                        \
  X(PROGRESS_BIND, BIND, "auto",                                                                    \
    "Where the progress thread runs: none (anywhere), spare (a core or hyperthread no rank of "   \
    "the node uses), core (the rank's own core), auto (spare when the node has one, else core).")  \
  X(WAIT_SPIN_US, TIME_US, "50",                                                                   \
    "A thread waiting inside a ComEx call polls (and serves incoming requests) without pause "    \
    "for this long, then yields the core between polls.")                                       \
  X(PEER_TIMEOUT_MS, INT, "30000",                                                                 \
    "A target waits at most this long for each payload piece a request promised (and for a "      \
    "peer to take each piece of a get's reply); then it gives up and refuses every later "        \
    "request of that rank. Generous, since ranks of an oversubscribed node may be descheduled.")   \
  X(REFUSAL_LOG_LINES, INT, "5",                                                                   \
    "Refused requests a target logs per peer rank, one line each; then one line says further "    \
    "refusals are only counted, and comex_finalize logs the count.")                 \
  X(PEER_CHECK_US, TIME_US, "100000",                                                             \
    "Waiting threads look this often (at most) whether the other ranks of the node are still "    \
    "alive; when one is gone, one line names it and the job is aborted, whatever the launcher "   \
    "does. 0 = never look.")
// clang-format on
