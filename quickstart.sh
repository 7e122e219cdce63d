#!/usr/bin/env bash
# comex-mt quick start.
#   ./quickstart.sh        install what is missing, build, run the main job
#                          (the contiguous benchmark over 2 ranks)
#   ./quickstart.sh test   install what is missing, build, run the whole test
#                          suite (make check) on MPICH, then again on Open MPI
#                          (make check-openmpi); the last line is the totals
#                          of both, "N passed, N failed"
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES="build-essential autoconf automake libtool pkg-config mpich libmpich-dev openmpi-bin libopenmpi-dev libhwloc-dev libgtest-dev cmake iproute2"

install_missing() {
  local missing=()
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "quickstart: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
}

build() {
  [ -x configure ] || ./autogen.sh
  [ -f Makefile ] || ./configure
  make -j"$(nproc)"
}

install_missing
build
case "${1:-}" in
  test)
    status=0
    make -j1 check || status=$?
    make check-openmpi || status=$?
    testing/summarize.sh testing _check-openmpi/testing
    exit $status
    ;;
  "")
    # The launcher configure found for the MPI the build uses (plain
    # `mpiexec` may belong to the other MPI when both are installed).
    MPIEXEC=$(sed -n 's/^MPIEXEC = //p' Makefile) testing/run_mpi.sh 2 testing/perf_contig
    ;;
  *)
    echo "usage: $0 [test]" >&2
    exit 2
    ;;
esac
