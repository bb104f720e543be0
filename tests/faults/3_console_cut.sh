#!/usr/bin/env bash
# A console cut off from its hub (the hub frozen with SIGSTOP for
# FAULTS_STOP seconds, default 50; see faults_lib.sh for why not iptables):
# the console says so and marks its rows stale, then resumes and ends with
# exactly the database's cases and states.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integ/hub_lib.sh"
. "$TOP/tests/integ/console_lib.sh"
. "$TOP/tests/faults/faults_lib.sh"
fault_console_cut "${FAULTS_STOP:-50}"
done_testing
