#!/usr/bin/env bash
# The console's terminal: an ssh hang-up leaves no process, a storm of 50
# resizes (1 column wide, 10x5, 1x1) leaves a clean screen, and terminals
# without colours (vt100 + NO_COLOR, dumb) work or stop cleanly.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integ/hub_lib.sh"
. "$TOP/tests/integ/console_lib.sh"
. "$TOP/tests/faults/faults_lib.sh"
fault_terminal
done_testing
