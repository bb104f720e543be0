#!/usr/bin/env bash
# The hub SIGKILLed FAULTS_KILLS times (default 5), 1-3 s apart, restarted
# each time on the same port, while two producers post FAULTS_ALERTS alerts
# (default 3000) and retry every failure with the same source_id, and a
# subscriber reconnects with ?since= its last seq.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integ/hub_lib.sh"
. "$TOP/tests/integ/console_lib.sh"
. "$TOP/tests/faults/faults_lib.sh"
fault_hub_kill "${FAULTS_ALERTS:-3000}" "${FAULTS_KILLS:-5}"
done_testing
