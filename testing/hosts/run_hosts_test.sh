#!/bin/sh
# Test driver for the several-hosts jobs of `make check` (*.hosts job files).
# A job file holds shell assignments:  hosts=N  ppn=N  prog=PATH (relative to
# the build tree)  and optionally  env="VAR=value ..."  args="..."  and
# done="REGEX" (the line that says the work passed; default GoogleTest's).
# The job runs through testing/hosts/run.sh, which makes the hosts, runs
# mpiexec under timeout and removes the hosts again.  Exit 77 (SKIP) when
# hosts cannot be made here (not root, no iproute2, no namespaces), in a
# sanitizer build, or with COMEX_HOSTS=0.
job=$1
hosts=2 ppn=2 prog= env= args= done=
. "$job" || exit 99
[ -n "$prog" ] || { echo "$job: no prog=" >&2; exit 99; }
if [ "${COMEX_HOSTS:-1}" = 0 ]; then echo "hosts: COMEX_HOSTS=0 (skipped)"; exit 77; fi
if [ -n "${COMEX_SANITIZE:-}" ]; then
  echo "hosts: sanitizer build ($COMEX_SANITIZE): several-hosts jobs skipped"; exit 77
fi
bin=${top_builddir:-.}/$prog
[ -x "$bin" ] || { echo "hosts: $bin not built (skipped)"; exit 77; }
here=$(dirname "$0")
echo "job: hosts=$hosts ppn=$ppn prog=$prog env=$env args=$args"
set -- -H "$hosts" -p "$ppn"
for kv in $env; do set -- "$@" -e "$kv"; done
[ -n "$done" ] && set -- "$@" -m "$done"
# shellcheck disable=SC2086
exec "$here/run.sh" "$@" "$bin" $args
