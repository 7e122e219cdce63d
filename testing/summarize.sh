#!/bin/sh
# summarize.sh [DIR...]: print the totals of the last `make check` as one line
# "N passed, N failed": GoogleTest cases of every test program, a program that
# died without a summary counting as one failure.  DIRs hold the .trs and
# .log files (default: testing).
passed=0 failed=0
[ $# -gt 0 ] || set -- testing
for trs in $(find "$@" -name '*.trs' 2>/dev/null); do
  log=${trs%.trs}.log
  result=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | tail -n 1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | tail -n 1)
  passed=$((passed + ${p:-0}))
  case "$result" in
    PASS|SKIP) failed=$((failed + ${f:-0})) ;;
    *) if [ "${f:-0}" -gt 0 ]; then failed=$((failed + f)); else failed=$((failed + 1)); fi ;;
  esac
done
echo "$passed passed, $failed failed"
