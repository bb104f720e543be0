#!/usr/bin/env bash
# The quick part of make faults (tests/faults/): the hub SIGKILLed once
# under 300+ alerts from retrying producers with a reconnecting subscriber,
# a 5 s database outage under load with a console attached, and the
# terminal (hang-up, resize storm, vt100 without colours).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integ/hub_lib.sh"
. "$TOP/tests/integ/console_lib.sh"
. "$TOP/tests/faults/faults_lib.sh"
if [ ! -x "$BUILD/xiaoan-hub" ] || [ ! -x "$BUILD/xiaoan" ]; then
  echo "1..0 # SKIP no xiaoan-hub or xiaoan in $BUILD"
  exit 0
fi
fault_hub_kill 300 1
fault_db_outage 5
# TERM=dumb is left to make faults (it shows a blank screen; see docs/reliability-faults.md)
FAULTS_DUMB=0 fault_terminal
done_testing
