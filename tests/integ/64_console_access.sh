#!/usr/bin/env bash
# The access matrix of docs/security.md through the console: the policy of
# access_policy.txt and the data set of access_lib.sh (the same as 60's), then
# for every officer of the matrix the real console, under that officer's own
# login, in tmux: it lists exactly the cases of the officer's "visible"
# column; a sensitive case's page shows the producer's text where the officer
# may read case_private and nowhere else (no screen ever shows it to the
# others); the first step the matrix refuses the officer is refused with an
# error on screen and nothing in the database; one step it allows is taken
# from the keys and lands.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"
. "$(dirname "$0")/console_lib.sh"

L=s64_$$
. "$(dirname "$0")/access_lib.sh"
trap 'tm kill-server 2>/dev/null; _cleanup; access_drop_roles' EXIT

new_db console_access
hub_start a --heartbeat 1
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cams')")
access_officers
access_cases "$PORT_a" "$TOKEN"
access_handover

# snap O: the screen of O's console, kept for the final search for leaks
snap() { screen "$1" | tee -a "$TMP/seen-$1"; }
# listed O: the labels of the cases O's list shows (the case number column)
listed() { snap "$1" | sed -nE 's/^[ *][ N~] *([0-9]+) .*/\1/p' | labels; }
# message O: the message line; shown_as_error O: drawn in bold, as errors are
message() { screen "$1" | tail -n 2 | head -n 1 | sed 's/ *$//'; }
shown_as_error() { tm capture-pane -e -p -t "$1" | tail -n 2 | head -n 1 | grep -q $'\e\\[1m'; }
events() { q -c "SELECT count(*) FROM xiaoan.case_event WHERE actor LIKE '${L}_%'"; }
# seek O LABEL: search for the case by its number; the header shows the search
# before a key acts on what it found
seek() {
  keys "$1" / "${ID[$2]}" Enter
  wait_screen "$1" "filter: \"${ID[$2]}\"" 5
}

# --- every officer's console at once, each under its own login ----------------------
for o in $LOGINS; do console "$o" "${L}_$o" 120 40 "$PORT_a"; done
for o in $LOGINS; do
  want=$(sorted "$(field "$o" 2)")
  wait_screen "$o" "hub: live +db: live" 15 && wait_screen "$o" "^open $(wc -w <<<"$want") " 10
  is "$(listed "$o")" "$want" "$o: the console lists exactly the cases of the matrix"
done

# --- a sensitive case's page: the producer's text only for those who may read it ---------
# settled O: the case page on O's screen has all its parts. The console asks
# its queries one at a time, in order: the case (its title is on screen by
# now), the trail, the parties, case_private, the hazard part. Once its
# connection is idle after anything but the first four, the private part's
# answer has been drawn.
settled() {
  db_is "SELECT count(*) FROM pg_stat_activity WHERE usename = '${L}_$1' AND state = 'idle'
         AND query !~ 'reopen_count|case_trail|case_event|case_unit|case_private'" 1
}
declare -A SENS
for o in $LOGINS; do
  for l in $(field "$o" 2); do [ -z "${SENSITIVE[$l]:-}" ] || SENS[$o]+="$l "; done
done
# In rounds, every console at once: round r opens the r-th sensitive case
# each officer can see.
for ((r = 1; ; r++)); do
  declare -A PAGE=()
  for o in $LOGINS; do
    l=$(cut -d' ' -f"$r" <<<"${SENS[$o]:-}")
    [ -z "$l" ] || { PAGE[$o]=$l; tm send-keys -t "$o" / "${ID[$l]}" Enter; }
  done
  [ ${#PAGE[@]} -gt 0 ] || break
  for o in "${!PAGE[@]}"; do wait_screen "$o" "filter: \"${ID[${PAGE[$o]}]}\"" 5; done
  for o in "${!PAGE[@]}"; do tm send-keys -t "$o" Enter; done
  declare -A SETTLED=()
  for o in "${!PAGE[@]}"; do
    wait_screen "$o" "^Case ${ID[${PAGE[$o]}]}  " 5 && wait_for 5 settled "$o"
    SETTLED[$o]=$?
  done
  sleep 0.2
  for o in $LOGINS; do
    l=${PAGE[$o]:-}
    [ -n "$l" ] || continue
    page=$(snap "$o")
    if [[ " $(access_readable "$o") " == *" $l "* ]]; then
      like "$page" "Personal details: SECRET-$l 学生王小明 初二\(3\)班" "$o: $l's page shows the producer's summary"
      like "$page" "  note: SECRETD-$l 学生王小明" "$o: and its details"
    else
      ok "$([ "${SETTLED[$o]}" = 0 ] && ! grep -q -e SECRET -e 王小明 -e 'Personal details' <<<"$page"; echo $?)" \
         "$o: $l's page, all loaded, shows no personal details"
      like "$page" "Summary: [^ ]*预警" "$o: only its neutral label"
    fi
    tm send-keys -t "$o" q
  done
done

# --- the first step the matrix refuses each officer -------------------------------------
# Through the keys; the console checks the right itself (the same rule as the
# engine's), so what the officer sees is its message. A case the officer may
# not see cannot be found, so nothing is selected to act on.
before=$(events)
for o in $LOGINS; do
  read -ra codes <<<"$(field "$o" 4)"
  for i in "${!ACCESS_STEPS[@]}"; do [ "${codes[$i]}" != ok ] && break; done
  [ "${codes[$i]}" != ok ] || continue
  read -r step l <<<"${ACCESS_STEPS[$i]}"
  id=${ID[$l]}
  case $step in sign) key=s ;; close) key=c ;; supervise) key=m ;; esac
  if [ "${codes[$i]}" = XA005 ]; then
    keys "$o" / "$id" Enter
    wait_screen "$o" "No case matches the filter" 5
    ok $? "$o: $step $l: searching for case $id finds nothing"
    keys "$o" "$key"
    wait_screen "$o" "No case is selected\." 5
  else
    seek "$o" "$l"
    keys "$o" "$key"
    case $step in
      supervise) wait_screen "$o" "[Oo]nly supervisors can put cases under supervision" 5 ;;
      *) wait_screen "$o" "[Cc]ase $id is held by .*cannot act on it" 5 ;;
    esac
  fi
  ok $? "$o: $step $l refused (${codes[$i]}): $(message "$o")"
  shown_as_error "$o"; ok $? "$o: as an error"
  snap "$o" >/dev/null
  keys "$o" F
done
is "$(events)" "$before" "no officer's step was recorded meanwhile"

# --- one step the matrix allows, for each officer it allows any -------------------------
# Taken for real, so each on a case of its own: the officers with the fewest
# choices pick first.
declare -A USED
fewest_first=$(for x in $LOGINS; do echo "$(field "$x" 4 | grep -ow ok | wc -l) $x"; done |
               sort -n | awk '$1 > 0 { print $2 }')
for o in $fewest_first; do
  read -ra codes <<<"$(field "$o" 4)"
  pick=
  for i in "${!ACCESS_STEPS[@]}"; do
    read -r step l <<<"${ACCESS_STEPS[$i]}"
    if [ "${codes[$i]}" = ok ] && [ -z "${USED[$l]:-}" ]; then pick=$i; break; fi
  done
  if [ -z "$pick" ]; then ok 1 "$o: an allowed step on a case no other officer has acted on"; continue; fi
  USED[$l]=$o
  id=${ID[$l]}
  seek "$o" "$l"
  case $step in
    sign)
      keys "$o" s
      wait_screen "$o" "Case $id signed\." 5 ;;
    close)
      keys "$o" c
      wait_screen "$o" "Result of case $id" 5 && keys "$o" "处理完毕" Enter &&
        wait_screen "$o" "Close case $id with this result\? \(y/n\)" 5 && keys "$o" y &&
        wait_screen "$o" "Case $id closed\." 5 ;;
    supervise)
      keys "$o" m
      wait_screen "$o" "Reason for supervising case $id" 5 && keys "$o" "督办" Enter &&
        wait_screen "$o" "Follow up case $id by" 5 && keys "$o" Enter &&
        wait_screen "$o" "Case $id is under supervision\." 5 ;;
  esac
  ok $? "$o: $step $l from the keys: $(message "$o")"
  is "$(q -c "SELECT kind || ':' || actor FROM xiaoan.case_event WHERE case_id = $id ORDER BY seq DESC LIMIT 1")" \
     "$step:${L}_$o" "$o: the audit trail records it"
  snap "$o" >/dev/null
  keys "$o" F
done

# --- no screen ever showed a sensitive case's text to one who may not read it -------------
for o in $LOGINS; do
  snap "$o" >/dev/null
  readable=" $(access_readable "$o") "
  leaked=
  for l in "${!SENSITIVE[@]}"; do
    [[ $readable == *" $l "* ]] || ! grep -Eq "SECRETD?-$l([^0-9]|$)" "$TMP/seen-$o" || leaked+=" $l"
  done
  [ -n "${readable// /}" ] || ! grep -q 王小明 "$TMP/seen-$o" || leaked+=" 王小明"
  is "${leaked# }" "" "$o: no screen showed a sensitive case's text it may not read"
done
ok "$(grep -q PUBLIC-G1 "$TMP/seen-disp"; echo $?)" "(the screens are searchable: G1's own summary is there)"
ok "$(sanitizer_clean; echo $?)" "no sanitizer reports"
hub_stop a
done_testing
