# Helpers for the fault suites (tests/faults/*.sh and tests/integ/70_faults_quick.sh);
# source after lib.sh, hub_lib.sh and console_lib.sh. Each fault_* function
# is one scenario: it makes its own database, starts what it needs on
# loopback, and reports with ok/is/like.

FAULTS_PROD=$TOP/tests/integ/js/producer.js

# fhub_start NAME PORT: a hub as xiaoan_hub on a fixed port (so that it can
# be restarted where its clients look for it); sets FHUB_PID
fhub_start() {
  local name=$1 port=$2 i
  # After a SIGKILL the port may be held for a moment: try for a few seconds.
  for i in $(seq 30); do
    "$HUB_BIN" --listen "127.0.0.1:$port" --db "$DBCONN user=xiaoan_hub" --name "$name" \
      >>"$TMP/hub-$name.log" 2>&1 &
    FHUB_PID=$!
    _pids+=("$FHUB_PID")
    if wait_for 10 curl -sf "http://127.0.0.1:$port/healthz"; then return 0; fi
    kill -0 "$FHUB_PID" 2>/dev/null && { kill -KILL "$FHUB_PID"; wait "$FHUB_PID" 2>/dev/null; }
    sleep 0.2
  done
  return 1
}

# sub_start FILE PORT LOGIN: a subscriber that reconnects whenever its stream
# ends, with a fresh session token and ?since= the last event's seq, logging
# every message (one JSON line) to FILE; stops when $FILE.stop exists.
sub_start() {
  local file=$1 port=$2 login=$3
  (
    last=0
    until [ -e "$file.stop" ]; do
      tok=$(PGUSER=$login q -c "SELECT xiaoan.session_token()" 2>/dev/null) || { sleep 0.3; continue; }
      node "$WSC" "ws://127.0.0.1:$port/v1/stream" --token "$tok" --since "$last" --timeout 600000 \
        >>"$file" 2>/dev/null &
      echo $! >"$file.node"
      wait $!
      echo '{"type":"_reconnect"}' >>"$file"
      l=$(jq -r 'select(.type == "event") | .seq' "$file" 2>/dev/null | tail -n 1)
      [ -z "$l" ] || last=$l
      sleep 0.2
    done
  ) &
  SUB_PID=$!
  _pids+=("$SUB_PID")
}

# sub_stop FILE: end the subscriber loop of FILE
sub_stop() {
  touch "$1.stop"
  kill "$(cat "$1.node" 2>/dev/null)" 2>/dev/null
  wait "$SUB_PID" 2>/dev/null
}

# check_answers FILE PREFIX: every 2xx in the producer log FILE is the case
# stored for its source_id, and no source_id is a case twice
check_answers() {
  local file=$1 prefix=$2 n2xx
  n2xx=$(jq -r 'select(.status == 200 or .status == 201) | .source_id' "$file" | wc -l)
  jq -r 'select(.status == 200 or .status == 201) | "\(.source_id) \(.case_id)"' "$file" | sort >"$TMP/answered"
  q -c "SELECT source_id || ' ' || id FROM xiaoan.cases WHERE source_id LIKE '$prefix%'" | sort >"$TMP/stored"
  is "$(comm -23 "$TMP/answered" "$TMP/stored" | wc -l)" 0 "$prefix: every one of $n2xx alerts answered 2xx is the case it named"
  is "$(q -c "SELECT count(*) - count(DISTINCT source_id) FROM xiaoan.cases WHERE source_id LIKE '$prefix%'")" 0 \
     "$prefix: no source_id is a case twice"
}

# check_stream FILE: the subscriber saw every event of the database once, in order
check_stream() {
  local file=$1 got want
  q -c "SELECT seq FROM xiaoan.case_event ORDER BY seq" >"$TMP/db_seqs"
  jq -r 'select(.type == "event") | .seq' "$file" >"$TMP/sub_seqs"
  want=$(wc -l <"$TMP/db_seqs")
  got=$(wc -l <"$TMP/sub_seqs")
  is "$got" "$want" "the subscriber got as many events as case_event holds ($want)"
  if cmp -s "$TMP/db_seqs" "$TMP/sub_seqs"; then ok 0 "every event once, in order, equal to SELECT seq FROM xiaoan.case_event"
  else
    ok 1 "every event once, in order, equal to SELECT seq FROM xiaoan.case_event"
    diff "$TMP/db_seqs" "$TMP/sub_seqs" | head -n 20 | sed 's/^/# /'
  fi
}

# ---- (a) the hub killed with SIGKILL at random moments ------------------------------------
# lane FILE PORT TOKEN PREFIX MIN [DEADLINE_MS]: posts chunks of 200 alerts (source_ids
# PREFIX<c>-<i>) with producer.js until FILE.stop exists and at least MIN were
# answered; one JSON line per alert in FILE
lane() {
  local file=$1 port=$2 tok=$3 prefix=$4 min=$5 deadline=${6:-120000} c=0
  until [ -e "$file.stop" ] && [ "$(wc -l <"$file")" -ge "$min" ]; do
    c=$((c + 1))
    node "$FAULTS_PROD" "127.0.0.1:$port" "$tok" "$prefix$c" 200 4 "$deadline" >>"$file"
  done
}

# fault_hub_kill ALERTS KILLS
fault_hub_kill() {
  local n=$1 kills=$2 port tok k statuses p1 p2 killed=0 subpid last
  new_db fk_$RANDOM
  officer "${FL}_disp" 值班员 fh.duty dispatcher
  tok=$(q -c "SELECT xiaoan.producer_token_create('fk-box')")
  port=$(free_port)
  fhub_start k "$port" || { echo "Bail out! hub did not start"; exit 1; }
  rm -f "$TMP/sub_k"* "$TMP/prod_k"*
  sub_start "$TMP/sub_k" "$port" "${FL}_disp"
  subpid=$SUB_PID
  : >"$TMP/prod_ka"; : >"$TMP/prod_kb"
  lane "$TMP/prod_ka" "$port" "$tok" fka $((n / 2)) & p1=$!
  lane "$TMP/prod_kb" "$port" "$tok" fkb $((n - n / 2)) & p2=$!
  _pids+=("$p1" "$p2")
  wait_for 20 sh -c "[ \$(cat '$TMP/prod_ka' '$TMP/prod_kb' | wc -l) -ge 20 ]"
  for k in $(seq "$kills"); do
    # 1 to 3 s apart, at a random millisecond
    sleep "$((1 + RANDOM % 2)).$((RANDOM % 1000))"
    kill -KILL "$FHUB_PID" 2>/dev/null && killed=$((killed + 1))
    wait "$FHUB_PID" 2>/dev/null
    diag "kill $k after $(cat "$TMP/prod_ka" "$TMP/prod_kb" | wc -l) answered alerts"
    fhub_start k "$port" || { ok 1 "hub restarts after kill $k"; return; }
  done
  touch "$TMP/prod_ka.stop" "$TMP/prod_kb.stop"
  is "$killed" "$kills" "the hub was SIGKILLed $kills times while producers posted, and restarted each time"
  wait "$p1"; wait "$p2"
  cat "$TMP/prod_ka" "$TMP/prod_kb" >"$TMP/prod_k"
  n=$(wc -l <"$TMP/prod_k")
  diag "$n alerts posted"
  is "$(jq -r 'select(.status != 200 and .status != 201) | .source_id' "$TMP/prod_k" | wc -l)" 0 \
     "every alert ended with a 2xx (retried with the same source_id)"
  statuses=$(jq -r '.statuses[]' "$TMP/prod_k" | sort | uniq -c | tr '\n' ' ')
  diag "statuses seen (0 = connection failed): $statuses"
  ok "$([ "$(jq -c 'select(.attempts > 1)' "$TMP/prod_k" | wc -l)" -gt 0 ]; echo $?)" "some alerts needed retries"
  check_answers "$TMP/prod_k" fk
  is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE source = 'fk-box'")" "$n" "exactly one case per alert ($n)"
  last=$(q -c "SELECT xiaoan.last_seq()")
  SUB_PID=$subpid
  wait_for 30 sh -c "jq -r 'select(.type == \"event\") | .seq' '$TMP/sub_k' | tail -n 1 | grep -qx '$last'"
  ok $? "the subscriber reached the last event ($last)"
  sub_stop "$TMP/sub_k"
  diag "the subscriber reconnected $(grep -c _reconnect "$TMP/sub_k") times"
  check_stream "$TMP/sub_k"
  ok "$(! grep -q '"type":"resync"' "$TMP/sub_k"; echo $?)" "no resync was needed"
  kill -TERM "$FHUB_PID"; wait "$FHUB_PID"
  is "$?" 0 "the last hub drains and exits 0"
}

# ---- (b) the database restarted, then down for a while, under load ------------------------
# fault_db_outage DOWN_SECONDS
fault_db_outage() {
  local down=$1 port tok p1 p2 t0 n id
  new_db fd_$RANDOM
  officer "${FL}_wang" 王伟 fh.duty dispatcher
  tok=$(q -c "SELECT xiaoan.producer_token_create('fd-box')")
  port=$(free_port)
  fhub_start d "$port" || { echo "Bail out! hub did not start"; exit 1; }
  console cd "${FL}_wang" 140 40 "$port"
  wait_screen cd "hub: live +db: live" 15; ok $? "console up: hub live, db live"
  rm -f "$TMP/prod_d"*; : >"$TMP/prod_da"; : >"$TMP/prod_db"
  lane "$TMP/prod_da" "$port" "$tok" fda 200 $(((down + 90) * 1000)) & p1=$!
  lane "$TMP/prod_db" "$port" "$tok" fdb 200 $(((down + 90) * 1000)) & p2=$!
  _pids+=("$p1" "$p2")
  wait_for 20 sh -c "[ \$(cat '$TMP/prod_da' '$TMP/prod_db' | wc -l) -ge 50 ]"

  # a restart: stop and start again at once
  "$TOP/scripts/pg.sh" stop; "$TOP/scripts/pg.sh" start >/dev/null; t0=$SECONDS
  ok "$(wait_for 20 curl -sf "http://127.0.0.1:$port/healthz"; echo $?)" \
     "database restarted: the hub is healthy again by itself ($((SECONDS - t0)) s)"

  # an outage of $down seconds
  sleep 1
  "$TOP/scripts/pg.sh" stop; t0=$SECONDS
  ok "$(wait_for 10 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/healthz) = 503 ]"; echo $?)" \
     "database stopped: /healthz answers 503"
  if [ "$down" -ge 10 ]; then
    wait_screen cd "db: reconnecting since" "$((down - 2))"; ok $? "the console says the database is being reconnected"
  fi
  n=$(cat "$TMP/prod_da" "$TMP/prod_db" | wc -l)
  sleep "$((down - (SECONDS - t0)))" 2>/dev/null
  is "$(cat "$TMP/prod_da" "$TMP/prod_db" | wc -l)" "$n" "no alert was answered 2xx while the database was down (${down} s)"
  "$TOP/scripts/pg.sh" start >/dev/null; t0=$SECONDS
  ok "$(wait_for 30 curl -sf "http://127.0.0.1:$port/healthz"; echo $?)" "database back: the hub recovers by itself"
  diag "hub healthy $((SECONDS - t0)) s after the database came back"
  wait_screen cd "hub: live +db: live" 60; ok $? "the console recovers by itself"
  diag "console live $((SECONDS - t0)) s after the database came back"
  sleep 2
  touch "$TMP/prod_da.stop" "$TMP/prod_db.stop"
  wait "$p1"; wait "$p2"
  cat "$TMP/prod_da" "$TMP/prod_db" >"$TMP/prod_d"
  n=$(wc -l <"$TMP/prod_d")
  diag "$n alerts posted; statuses seen: $(jq -r '.statuses[]' "$TMP/prod_d" | sort | uniq -c | tr '\n' ' ')"
  is "$(jq -r 'select(.status != 200 and .status != 201) | .source_id' "$TMP/prod_d" | wc -l)" 0 \
     "every alert ended with a 2xx after retries"
  ok "$([ "$(jq -c 'select(any(.statuses[]; . == 503))' "$TMP/prod_d" | wc -l)" -gt 0 ]; echo $?)" "producers were answered 503 meanwhile"
  check_answers "$TMP/prod_d" fd
  is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE source = 'fd-box'")" "$n" "exactly one case per alert ($n)"
  id=$(q -c "SELECT id FROM xiaoan.cases WHERE source = 'fd-box' AND state = 'new' ORDER BY id DESC LIMIT 1")
  keys cd / "$id" Enter
  # Under load (sanitizer builds) the reload after the outage can still be
  # drawing: sign only once the searched case is the row on screen.
  _fd_shows() { screen cd | grep -qE "^[^0-9]*$id "; }
  wait_for 20 _fd_shows
  keys cd s
  wait_for 20 db_is "SELECT state FROM xiaoan.cases WHERE id = $id" signed; ok $? "the console signs a case afterwards"
  ok "$(sanitizer_clean; echo $?)" "no sanitizer report from the console"
  kill -TERM "$FHUB_PID"; wait "$FHUB_PID"
  is "$?" 0 "the hub drains and exits 0"
}

# ---- (c) a console cut off from its hub -----------------------------------------------------
# No iptables or nft on the test machines: the hub is frozen with SIGSTOP
# instead, which is what a blocked port looks like to the console (the TCP
# connection stays open, nothing arrives, not even heartbeats). The console
# gives a silent hub CSTREAM_IDLE_MS (45 s) before it drops the connection,
# so the freeze must last longer than that to be seen.

# screen_cases SESSION: "id state" of every case row on the console's screen
screen_cases() {
  screen "$1" | grep -E '^.{2} +[0-9]+ ' |
    sed -E 's/^.{2} +([0-9]+) .* (new|signed|in progress|closed|confirmed) .*/\1 \2/' | sort
}
db_cases() { q -c "SELECT id || ' ' || replace(state::text, '_', ' ') FROM xiaoan.cases ORDER BY 1" | sort; }
screen_is_db() { [ "$(screen_cases "$1")" = "$(db_cases)" ]; }

# fault_console_cut FREEZE_SECONDS
fault_console_cut() {
  local freeze=$1 port i id t0
  new_db fc_$RANDOM
  officer "${FL}_wang" 王伟 fh.duty dispatcher
  officer "${FL}_zhao" 赵敏 fh.duty dispatcher
  port=$(free_port)
  fhub_start c "$port" || { echo "Bail out! hub did not start"; exit 1; }
  for i in 1 2 3 4 5 6; do ingest_one "fc-$i" gate_open "S00$i" "校门开启$i" >/dev/null; done
  console cc "${FL}_wang" 160 50 "$port"
  wait_screen cc "hub: live +db: live" 15; ok $? "console up, hub live"
  wait_for 10 screen_is_db cc; ok $? "the console shows the database's six cases"

  kill -STOP "$FHUB_PID"; t0=$SECONDS
  diag "hub frozen (SIGSTOP) for $freeze s"
  # meanwhile the database moves on: steps in psql, new alerts straight into the database
  for id in $(q -c "SELECT id FROM xiaoan.cases ORDER BY id LIMIT 3"); do
    PGUSER=${FL}_zhao q -c "SELECT version FROM xiaoan.case_sign($id, 1, '现场核实')" >/dev/null
  done
  for i in 7 8 9; do ingest_one "fc-$i" drowning "S01$i" "水边逗留$i" >/dev/null; done
  wait_screen cc "hub: (stale, )?reconnecting since [0-9:]{8}" "$((freeze + 5))"
  ok $? "the console's header says the hub is gone and since when"
  diag "the console noticed after $((SECONDS - t0)) s"
  ok "$(screen cc | grep -qE '^ ~ +[0-9]+ '; echo $?)" "and marks its rows stale (~)"
  ok "$(! screen_is_db cc; echo $?)" "what it shows is behind the database meanwhile"
  sleep "$((freeze - (SECONDS - t0)))" 2>/dev/null
  kill -CONT "$FHUB_PID"; t0=$SECONDS
  wait_screen cc "hub: live +db: live" 30; ok $? "hub back (SIGCONT): the console resumes by itself"
  diag "live again after $((SECONDS - t0)) s"
  wait_for 15 screen_is_db cc; ok $? "and ends with exactly the database's cases and states"
  if ! screen_is_db cc; then
    diff <(db_cases) <(screen_cases cc) | sed 's/^/# /'
  fi
  ok "$(! screen cc | grep -qE '^ ~ +[0-9]+ '; echo $?)" "no row is marked stale any more"
  ok "$(sanitizer_clean; echo $?)" "no sanitizer report from the console"
  kill -TERM "$FHUB_PID"; wait "$FHUB_PID"
  is "$?" 0 "the hub drains and exits 0"
}

# ---- (d) two officers signing the same cases at the same moment ---------------------------
# fault_races N: N cases, each signed by two dispatchers in two concurrent
# psql sessions walking the same list in the same order
fault_races() {
  local n=$1 o won lost
  new_db fr_$RANDOM
  officer "${FL}_wang" 王伟 fh.duty dispatcher
  officer "${FL}_zhao" 赵敏 fh.duty dispatcher
  q -c "SELECT count(*) FROM xiaoan.ingest('fr-box', (SELECT jsonb_agg(jsonb_build_object('source_id', 'fr-' || g,
        'type', 'gate_open', 'school', 'S' || lpad((1 + g % 120)::text, 3, '0'), 'occurred_at', now(),
        'summary', '并发签收 ' || g)) FROM generate_series(1, $n) g))" >/dev/null
  q -c "SELECT 'SELECT version FROM xiaoan.case_sign(' || id || ', 1, ''签收'');' FROM xiaoan.cases ORDER BY id" \
    >"$TMP/race.sql"
  for o in wang zhao; do
    PGUSER=${FL}_$o psql -X -q -At -v ON_ERROR_STOP=0 -f "$TMP/race.sql" >"$TMP/race_$o.out" 2>"$TMP/race_$o.err" &
    eval "RP_$o=\$!"
  done
  wait "$RP_wang"; wait "$RP_zhao"
  won=$(cat "$TMP/race_wang.out" "$TMP/race_zhao.out" | grep -c .)
  lost=$(cat "$TMP/race_wang.err" "$TMP/race_zhao.err" | grep -c 'ERROR:')
  diag "wang won $(grep -c . "$TMP/race_wang.out"), zhao won $(grep -c . "$TMP/race_zhao.out")"
  is "$won" "$n" "$n cases, $n signs succeeded in all"
  is "$lost" "$n" "and $n were refused"
  is "$(cat "$TMP/race_wang.err" "$TMP/race_zhao.err" | grep 'ERROR:' | grep -vcE 'case [0-9]+ already signed by (王伟|赵敏)')" 0 \
     "every loser was told who won (\"already signed by\")"
  grep 'ERROR:' "$TMP/race_wang.err" "$TMP/race_zhao.err" | grep -vE 'already signed by' | head -n 5 | sed 's/^/# /'
  is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE state = 'signed' AND version = 2")" "$n" "every case signed once (version 2)"
  is "$(q -c "SELECT count(*) FROM (SELECT case_id FROM xiaoan.case_event WHERE kind = 'sign' GROUP BY case_id HAVING count(*) = 1) s")" \
     "$n" "each case has exactly one sign event"
  is "$(q -c "SELECT count(*) FROM xiaoan.cases c JOIN xiaoan.case_event e ON e.case_id = c.id AND e.kind = 'sign'
              WHERE e.actor IS DISTINCT FROM c.signed_by")" 0 "the sign event's actor is the case's signed_by"
  is "$(q -c "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY seq) p FROM xiaoan.case_event) s WHERE p IS NOT NULL AND seq <> p + 1")" \
     0 "case_event seq stays gap-free"
}

# ---- (e) the terminal: hang-up, resize storm, terminals without colour -------------------
# tconsole SESSION LOGIN COLS ROWS PORT TERM [ENV...]: a console under TERM;
# its exit status goes to $TMP/exit-SESSION
tconsole() {
  local s=$1 login=$2 cols=$3 rows=$4 port=$5 term=$6; shift 6
  tm new-session -d -s "$s" -x "$cols" -y "$rows" \
    "env PGUSER=$login LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=$term XDG_CONFIG_HOME=$TMP/none $* \
     $BUILD/xiaoan --db '$DBCONN' --hub 127.0.0.1:$port --notify off 2>>$TMP/console-$s.err; echo \$? >$TMP/exit-$s; sleep 60"
}

fault_terminal() {
  local port pid i sizes w h
  new_db ft_$RANDOM
  officer "${FL}_wang" 王伟 fh.duty dispatcher
  port=$(free_port)
  fhub_start t "$port" || { echo "Bail out! hub did not start"; exit 1; }
  for i in 1 2 3 4 5; do ingest_one "ft-$i" gate_open "S00$i" "南门开启$i" >/dev/null; done

  # ssh hang-up: the pty goes away under the console (SIGHUP)
  tconsole th "${FL}_wang" 120 40 "$port" tmux-256color
  wait_screen th "hub: live" 15
  pid=$(console_pid th)
  ok "$([ -n "$pid" ]; echo $?)" "console running (pid $pid)"
  tm kill-session -t th
  wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"; ok $? "hang-up (tmux kill-session): the console exits"
  ok "$(! pgrep -f -- "--db $DBCONN --hub 127.0.0.1:$port" >/dev/null; echo $?)" "no xiaoan process of this test is left"

  # resize storm: 50 sizes in a few seconds, 1 column wide and 10x5 among them
  tconsole tr "${FL}_wang" 120 40 "$port" tmux-256color
  wait_screen tr "hub: live" 15
  pid=$(console_pid tr)
  sizes="1x40 10x5 1x1 200x60 2x2 80x24 40x3 1x100"
  for i in $(seq 42); do sizes+=" $((1 + RANDOM % 200))x$((1 + RANDOM % 60))"; done
  for i in $sizes; do
    tm resize-window -t tr -x "${i%x*}" -y "${i#*x}"
    sleep 0.05
  done
  tm resize-window -t tr -x 120 -y 40
  ok "$(kill -0 "$pid" 2>/dev/null; echo $?)" "50 resizes (1 column wide, 10x5, 1x1 among them): the console lives"
  # reference: a fresh console of the same size
  tconsole tf "${FL}_wang" 120 40 "$port" tmux-256color
  wait_screen tf "hub: live" 15
  sleep 1.5
  compare_two() { diff <(masked_screen tf) <(masked_screen tr) >"$TMP/storm.diff"; }
  wait_for 5 compare_two; ok $? "back at 120x40 its screen is clean: equal to a fresh console's"
  [ -s "$TMP/storm.diff" ] && sed 's/^/# /' "$TMP/storm.diff" | head -n 30

  # terminals without colours
  tconsole tv "${FL}_wang" 100 30 "$port" vt100 NO_COLOR=1
  wait_screen tv "hub: live +db: live" 15; ok $? "TERM=vt100 NO_COLOR=1: the console works"
  ok "$(screen tv | grep -q "南门开启5"; echo $?)" "and lists the cases"
  ok "$(! tm capture-pane -p -e -t tv | grep -qE $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m'; echo $?)" \
     "without any colour on screen"
  keys tv Q
  wait_for 5 test -s "$TMP/exit-tv"; is "$(cat "$TMP/exit-tv" 2>/dev/null)" 0 "Q quits with status 0"
  # TERM=dumb has no cursor addressing: the console must either refuse it
  # with a message or still show its screen. FAULTS_DUMB=0 leaves it out.
  if [ "${FAULTS_DUMB:-1}" = 1 ]; then
    tconsole td "${FL}_wang" 100 30 "$port" dumb
    wait_for 5 sh -c "[ -s '$TMP/exit-td' ] || tmux -L '$TMUX_SOCK' capture-pane -p -t td | grep -q 'hub: live'"
    if [ -s "$TMP/exit-td" ]; then
      is "$(cat "$TMP/exit-td")" 1 "TERM=dumb: the console refuses it with status 1, no crash"
      like "$(cat "$TMP/console-td.err")" "TERM=dumb" "and says why"
    else
      ok "$(screen td | grep -q 'hub: live'; echo $?)" "TERM=dumb: the console refuses it or shows its screen"
      [ -n "$(screen td | tr -d ' \n')" ] || diag "TERM=dumb: the console runs and the terminal stays blank"
      tm kill-session -t td
    fi
  fi
  ok "$(sanitizer_clean; echo $?)" "no sanitizer report from any console"
  kill -TERM "$FHUB_PID"; wait "$FHUB_PID"
  is "$?" 0 "the hub drains and exits 0"
}

# Officer logins are cluster-wide roles: each suite names them ${FL}_* and
# drops them at exit.
FL=fl$$
_faults_cleanup() {
  "$TOP/scripts/pg.sh" start >/dev/null 2>&1
  tm kill-server 2>/dev/null
  _cleanup
  local r
  for r in $(q -d postgres -c "SELECT rolname FROM pg_roles WHERE rolname LIKE '${FL}\_%'" 2>/dev/null); do
    q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
  done
}
trap _faults_cleanup EXIT
