#!/bin/sh
# A rank SIGKILLed at random points with its death hidden from the launcher:
# the runtime's own detection must end the job (testing/faults/kill.sh).
exec "$(dirname "$0")/kill.sh" runtime
