/*
 * finalize_shim.c -- LD_PRELOAD library for the rank processes of the
 * several-hosts jobs (testing/hosts/run.sh).  Bounds the time MPICH 4.0.2's
 * MPI_Finalize waits for UCX endpoint closes.
 *
 * Why: MPICH 4.0.2 (ch4:ucx) finalizes by closing every endpoint with a flush
 * (ucp_disconnect_nb), spinning until all closes complete, and only then
 * entering the PMI barrier.  Over UCX's TCP transport a close can need the
 * peer to make progress, but the peer may already have finished its own
 * closes and sit in the PMI barrier, where it never progresses UCX: the job
 * hangs in MPI_Finalize after all its work is done (doc/hosts.md).
 *
 * What: the close requests that ucp_disconnect_nb returns are remembered;
 * once COMEX_HOSTS_CLOSE_WAIT seconds (default 2) have passed since the first
 * close, ucp_request_is_completed reports them complete (from then on, until
 * the process ends: MPICH polls all of them until all are done), MPICH releases them
 * and goes on to the PMI barrier and ucp_worker_destroy.  Every rank prints
 * one line to stderr when it gives up, so the harness can count it.  Nothing
 * else changes: all application communication has completed before
 * MPI_Finalize (MPI requires it), and other requests pass through untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <ucp/api/ucp.h>

#define MAX_TRACKED 4096

static ucs_status_ptr_t (*real_disconnect)(ucp_ep_h);
static int (*real_is_completed)(void *);
static void *tracked[MAX_TRACKED];
static int n_tracked;
static double give_up_at;
static int reported;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *must_find(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "finalize_shim: %s not found: %s\n", name, dlerror());
        abort();
    }
    return f;
}

ucs_status_ptr_t ucp_disconnect_nb(ucp_ep_h ep) {
    if (!real_disconnect) real_disconnect = (ucs_status_ptr_t (*)(ucp_ep_h))must_find("ucp_disconnect_nb");
    if (give_up_at == 0) {
        const char *w = getenv("COMEX_HOSTS_CLOSE_WAIT");
        double wait = w && *w ? atof(w) : 2.0;
        give_up_at = now_s() + wait;
    }
    ucs_status_ptr_t r = real_disconnect(ep);
    if (UCS_PTR_IS_PTR(r) && r != NULL && n_tracked < MAX_TRACKED) tracked[n_tracked++] = r;
    return r;
}

int ucp_request_is_completed(void *request) {
    if (!real_is_completed) real_is_completed = (int (*)(void *))must_find("ucp_request_is_completed");
    int done = real_is_completed(request);
    if (done || n_tracked == 0 || now_s() < give_up_at) return done;
    int i;
    for (i = 0; i < n_tracked; i++)
        if (tracked[i] == request) break;
    if (i == n_tracked) return done; /* not a close request */
    if (!reported) {
        int open = 0;
        for (int k = 0; k < n_tracked; k++)
            if (!real_is_completed(tracked[k])) open++;
        char host[64] = "?";
        gethostname(host, sizeof host - 1);
        fprintf(stderr,
                "finalize_shim: %s pid %d: %d UCX endpoint close(s) still waiting for a peer in "
                "MPI_Finalize; given up (MPICH 4.0.2 + UCX over TCP, see doc/hosts.md)\n",
                host, (int)getpid(), open);
        fflush(stderr);
        reported = 1;
    }
    return 1;
}
