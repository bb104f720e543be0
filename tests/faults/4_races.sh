#!/usr/bin/env bash
# Two officers act on the same cases at the same moment, FAULTS_RACES times
# (default 200): each case is signed exactly once and every loser is told
# who won.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integ/hub_lib.sh"
. "$TOP/tests/integ/console_lib.sh"
. "$TOP/tests/faults/faults_lib.sh"
fault_races "${FAULTS_RACES:-200}"
done_testing
