# The access matrix's policy and data set, shared by the tests that hold
# the code to it: 60 (raw SQL, the steps, the live stream) and 64 (the
# console). Source after lib.sh and hub_lib.sh, with L set to a prefix for
# the officers' logins that is unique to the test.
# shellcheck disable=SC2034 # its variables are read by those tests

# --- the policy (access_policy.txt: docs/security.md, "The matrix") ----------------
MATRIX=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/tests/integ/access_policy.txt")
NROWS=$(wc -l <<<"$MATRIX")
LOGINS=$(awk '{print $1}' <<<"$MATRIX" | xargs)
# The steps of the policy's last field, in its order: "step label".
ACCESS_STEPS=("sign G1" "sign M1" "sign P2" "close G17" "supervise T1")

# field LOGIN N: the Nth '|'-separated field of the officer's row, trimmed
field() { awk -F'|' -v l="$1" -v f="$2" '{split($1, a, " ")} a[1] == l {print $f}' <<<"$MATRIX" | xargs; }
sorted() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort | xargs; }
# access_readable LOGIN: the labels of the case_private rows the officer may read
access_readable() { field "$1" 3 | sed 's/^-$//'; }

# The officers' roles are the cluster's, not the test database's.
access_drop_roles() {
  local r
  for r in $LOGINS; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$r" >/dev/null 2>&1; done
}

access_officers() {
  local login unit role
  while read -r login unit role _; do officer "${L}_$login" "测试$login" "$unit" "$role"; done <<<"$MATRIX"
}

# --- the cases -------------------------------------------------------------------------
declare -A ID SENSITIVE
# access_case PORT TOKEN LABEL TYPE SCHOOL [JQ]: posted through the hub.
# Sensitive ones carry a secret summary and details (a student's name and
# class), the others only a public marker.
access_case() {
  local port=$1 token=$2 label=$3 type=$4 school=$5 extra=${6:-.} mark=PUBLIC who=
  local r
  case $type in
    mental_care|minor_venue|dorm_absence) mark=SECRET who=' 学生王小明 初二(3)班' SENSITIVE[$label]=1 ;;
  esac
  r=$(post "$port" "$token" "$(alert "m-$label" ".type = \"$type\" | .school = \"$school\"
        | .summary = \"$mark-$label$who\" | .details = {note: \"${mark}D-$label$who\"} | $extra")")
  [ "${r%% *}" = 201 ] || diag "posting $label: $r"
  ID[$label]=$(jq -r .case_id "$TMP/resp.body")
}

# access_cases PORT TOKEN: the twelve cases of eight types in two towns
access_cases() {
  access_case "$@" G1 gate_open S001
  access_case "$@" G17 gate_open S017
  access_case "$@" T1 traffic S001
  access_case "$@" F2 food_safety S002 '.severity = "critical"'
  access_case "$@" P2 patrol_post S002
  access_case "$@" W17 drowning S017
  access_case "$@" M1 mental_care S001 '.grade = "high"'
  access_case "$@" M17 mental_care S017 '.grade = "low"'
  access_case "$@" V1 minor_venue S001
  access_case "$@" V2 minor_venue S002 '.severity = "critical"'
  access_case "$@" D1 dorm_absence S001
  access_case "$@" D17 dorm_absence S017 '.severity = "critical"'
  is "$(q -c "SELECT count(*) FROM xiaoan.case_private WHERE summary LIKE 'SECRET-%' AND details->>'note' LIKE 'SECRETD-%'")" 6 \
     "the six sensitive cases keep the producer's text in case_private"
  is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE summary LIKE '%SECRET%' OR details::text LIKE '%SECRET%'")" 0 \
     "and xiaoan.cases holds none of it"
}

# The hand-overs the policy assumes: D1 goes on to the town's command room
# (S001 keeps it as a past holder); G17 is signed, for the close attempts.
access_handover() {
  PGUSER=${L}_s1 q -c "SELECT seq FROM xiaoan.case_forward(${ID[D1]}, 1, 'fh.jp.cmd', '需街道协助')" >/dev/null
  PGUSER=${L}_disp q -c "SELECT seq FROM xiaoan.case_sign(${ID[G17]}, 1, NULL)" >/dev/null
}

labels() { # ids on stdin -> sorted labels
  local id l
  while read -r id; do
    for l in "${!ID[@]}"; do [ "${ID[$l]}" = "$id" ] && echo "$l"; done
  done | sort | xargs
}
