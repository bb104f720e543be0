#!/usr/bin/env bash
# The database restarted, then stopped for FAULTS_DB_DOWN seconds (default
# 60) under load: the hub and a console recover by themselves; producers
# get 503, never a 2xx for an alert that is not stored.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integ/hub_lib.sh"
. "$TOP/tests/integ/console_lib.sh"
. "$TOP/tests/faults/faults_lib.sh"
fault_db_outage "${FAULTS_DB_DOWN:-60}"
done_testing
