#!/bin/sh
# A rank SIGKILLed at random points; the launcher sees it (testing/faults/kill.sh).
exec "$(dirname "$0")/kill.sh" launcher
