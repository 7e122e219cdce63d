# Faults: ranks killed at random points, and exhausted resources
# (descriptors, mappings, memory).  doc/reliability.md says what each checks.
check_PROGRAMS += testing/faults/kill_rank
testing_faults_kill_rank_SOURCES = testing/faults/kill_rank.cc
testing_faults_kill_rank_LDADD = libcomex.la

FAULT_TESTS = testing/faults/kill-launcher.sh testing/faults/kill-runtime.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS) testing/faults/kill.sh testing/faults/hide_death.sh
