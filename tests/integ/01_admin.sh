#!/usr/bin/env bash
# xiaoan-admin end to end: migrate (twice, a broken migration, a migration's
# warning), officers (a disabled one cannot log in), producer tokens,
# look-ups, usage errors.
. "$(dirname "$0")/../lib.sh"

ADMIN=$BUILD/xiaoan-admin
W=aw_$$ L=al_$$ S=as_$$
trap '_cleanup; q -d postgres -c "DROP ROLE IF EXISTS $W, $L, $S" >/dev/null 2>&1' EXIT

# migrate on an empty database, twice --------------------------------------------
fresh=t_admin_fresh_$$
createdb "$fresh" || { echo "Bail out! createdb failed"; exit 1; }
_dbs+=("$fresh")
FRESH="host=$PGHOST port=$PGPORT dbname=$fresh"
nmig=$(ls "$TOP"/sql/migrations/[0-9][0-9][0-9]_*.sql | wc -l)
out=$("$ADMIN" --db "$FRESH" migrate 2>&1); rc=$?
is "$rc" 0 "migrate on an empty database"
is "$(grep -c '^applied ' <<<"$out")" "$nmig" "it applies every migration ($nmig)"
like "$out" "reference data 30_alert_types.sql" "and the reference data"
out=$("$ADMIN" --db "$FRESH" migrate 2>&1); rc=$?
is "$rc" 0 "migrate again"
is "$(grep -c '^applied ' <<<"$out")" 0 "the second run applies no migration"
like "$out" "schema up to date \\($nmig migrations\\)" "and says the schema is up to date"
is "$(q -d "$fresh" -c 'SELECT count(*) FROM xiaoan.schema_migration')" "$nmig" "each migration recorded once"

# a broken migration is rolled back whole and named with its line
mkdir -p "$TMP/sql"
cp -r "$TOP/sql/migrations" "$TOP/sql/ref" "$TMP/sql/"
printf 'CREATE TABLE xiaoan.half_done (x int);\n\nSELEKT 1;\n' >"$TMP/sql/migrations/900_broken.sql"
err=$("$ADMIN" --db "$FRESH" --sql-dir "$TMP/sql" migrate 2>&1 >/dev/null); rc=$?
is "$rc" 1 "a broken migration fails with status 1"
like "$err" "900_broken.sql:3: syntax error at or near \"SELEKT\"" "the error names the file, line and server message"
is "$(q -d "$fresh" -c "SELECT to_regclass('xiaoan.half_done') IS NULL AND NOT EXISTS
        (SELECT 1 FROM xiaoan.schema_migration WHERE version = '900_broken')")" t "nothing of it was kept"
out=$(XIAOAN_SQL_DIR="$TMP/nowhere" "$ADMIN" --db "$FRESH" migrate 2>&1); rc=$?
is "$rc" 1 "a missing SQL folder fails"
like "$out" "nowhere/migrations: No such file or directory \\(use --sql-dir or XIAOAN_SQL_DIR\\)" "and says where it looked"

# a warning the server raises reaches the operator once, as the tool's own
# message: 007 turns a police station's town_staff into unit_staff and names
# each (before 007 a station's officer could be town_staff)
old=t_admin_old_$$
createdb "$old" || { echo "Bail out! createdb failed"; exit 1; }
_dbs+=("$old")
OLD="host=$PGHOST port=$PGPORT dbname=$old"
mkdir -p "$TMP/sql006/migrations"
cp -r "$TOP/sql/ref" "$TMP/sql006/"
cp "$TOP"/sql/migrations/00[1-6]_*.sql "$TMP/sql006/migrations/"
"$ADMIN" --db "$OLD" --sql-dir "$TMP/sql006" migrate >/dev/null 2>&1 &&
  "$ADMIN" --db "$OLD" --sql-dir "$TMP/sql006" officer add "$S" --name 钱军 --unit fh.jp.pol --role town_staff >/dev/null
ok $? "a schema up to 006 with a police station officer as town_staff"
"$ADMIN" --db "$OLD" migrate >/dev/null 2>"$TMP/warn.err"; rc=$?
is "$rc" 0 "migrating it on succeeds"
is "$(grep -c "^xiaoan-admin: warning: officer $S (钱军) of police station fh.jp.pol was town_staff: now unit_staff$" "$TMP/warn.err")" 1 \
   "the warning is printed once, as 'xiaoan-admin: warning: <message>'"
is "$(grep -c 'WARNING' "$TMP/warn.err")" 0 "without the server's own WARNING: prefix"
is "$(grep -c '^$' "$TMP/warn.err")" 0 "and without a blank line after it"
is "$(q -d "$old" -c "SELECT role FROM xiaoan.officer WHERE login = '$S'")" unit_staff "the officer is now unit_staff"

# officers --------------------------------------------------------------------------
new_db admin
"$ADMIN" --db "$DBCONN" officer add "$W" --name 王伟 --unit fh.duty --role dispatcher >/dev/null
ok $? "officer add"
"$ADMIN" --db "$DBCONN" officer add "$L" --name 李娜 --unit S001 --role school_officer --phone 13800000001 >/dev/null
ok $? "officer add with a phone"
is "$(PGUSER=$W q -c 'SELECT xiaoan.me_role()')" dispatcher "the new officer logs in as its own role"
out=$("$ADMIN" --db "$DBCONN" officer add "$W" --name 王伟 --unit fh.duty --role dispatcher 2>&1); rc=$?
is "$rc" 1 "adding the same login again fails"
like "$out" "officer $W already exists: change it with 'officer set $W" "and says to use officer set"
out=$("$ADMIN" --db "$DBCONN" officer add "x$W" --name 某 --unit nowhere --role dispatcher 2>&1); rc=$?
is "$rc" 1 "an unknown unit is a runtime error"
like "$out" "unknown unit \"nowhere\"" "with the server's reason"
list=$("$ADMIN" --db "$DBCONN" officer list)
is "$(wc -l <<<"$list")" 3 "officer list: a header and two officers"
# Columns line up on screen: the ROLE column starts at the same display column
# on every line, whatever the width of the Chinese names before it.
cols=$(python3 -c '
import sys, unicodedata
def col(line, word):
    i = line.index(word)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:i])
lines = sys.stdin.read().splitlines()
print(col(lines[0], "ROLE"), *[col(l, r) for l, r in zip(lines[1:], ("school_officer", "dispatcher"))])' <<<"$list")
read -r c0 c1 c2 <<<"$cols"
ok $([ "$c0" = "$c1" ] && [ "$c1" = "$c2" ]; echo $?) "officer list aligns CJK names by display width ($cols)"
like "$(grep "$L" <<<"$list")" "李娜 +S001 +奉化区锦屏雪窦中学 +school_officer +active +13800000001" "the school officer's row"
is "$("$ADMIN" --db "$DBCONN" officer list --role dispatcher | tail -n +2 | awk '{print $1}')" "$W" "officer list --role"
is "$("$ADMIN" --db "$DBCONN" officer list --unit S001 | tail -n +2 | awk '{print $1}')" "$L" "officer list --unit"
"$ADMIN" --db "$DBCONN" officer set "$L" --phone 13900000002 --name 李娜娜 >/dev/null
is "$(q -c "SELECT name || '/' || phone || '/' || role FROM xiaoan.officer WHERE login = '$L'")" "李娜娜/13900000002/school_officer" \
  "officer set changes only what it is given"
"$ADMIN" --db "$DBCONN" officer disable "$W" >/dev/null
ok $? "officer disable"
err=$(PGUSER=$W psql -X -Atq -c 'SELECT 1' 2>&1); rc=$?
ok $([ "$rc" -ne 0 ]; echo $?) "a disabled officer cannot log in"
like "$err" "not permitted to log in" "psql says the role may not log in"
like "$("$ADMIN" --db "$DBCONN" officer list --role dispatcher)" "$W +王伟 .* disabled" "the list shows it disabled"
"$ADMIN" --db "$DBCONN" officer set "$W" --enable >/dev/null
is "$(PGUSER=$W q -c 'SELECT xiaoan.me_role()')" dispatcher "officer set --enable lets it in again"
out=$("$ADMIN" --db "$DBCONN" officer disable "nobody_$$" 2>&1); rc=$?
is "$rc" 1 "disabling an unknown login fails"
out=$("$ADMIN" --db "$DBCONN" officer add postgres --name 管理员 --unit fh.duty --role dispatcher 2>&1); rc=$?
is "$rc" 1 "the superuser cannot be made an officer"

# producer tokens --------------------------------------------------------------------
tok=$("$ADMIN" --db "$DBCONN" token create cam_$$ --days 30 2>"$TMP/tok.err"); rc=$?
is "$rc" 0 "token create"
like "$tok" "^xp_[0-9a-f]{48}$" "stdout is the token alone"
like "$(cat "$TMP/tok.err")" "shown only this once" "stderr says it is shown once"
is "$(PGUSER=xiaoan_hub q -c "SELECT xiaoan.producer_auth('$tok')")" "cam_$$" "the hub authenticates the producer with it"
list=$("$ADMIN" --db "$DBCONN" token list)
like "$list" "cam_$$ +[0-9-]{10} [0-9:]{5} +[0-9-]{10} [0-9:]{5} +- +valid" "token list: name, created, expires, status"
ok $(grep -q "${tok#xp_}" <<<"$list"; [ $? -ne 0 ]; echo $?) "token list never shows the token"
"$ADMIN" --db "$DBCONN" token revoke cam_$$ >/dev/null
ok $? "token revoke"
is "$(PGUSER=xiaoan_hub q -c "SELECT coalesce(xiaoan.producer_auth('$tok'), 'NULL')")" NULL "a revoked token authenticates nobody"
like "$("$ADMIN" --db "$DBCONN" token list)" "cam_$$ .* revoked" "token list shows it revoked"
"$ADMIN" --db "$DBCONN" token revoke cam_$$ >/dev/null 2>&1
is $? 1 "revoking again fails: there is no active token"
tok2=$("$ADMIN" --db "$DBCONN" token create cam2_$$ --expires 2099-01-01T00:00:00+08:00 2>/dev/null)
is "$(q -c "SELECT expires = '2099-01-01T00:00:00+08:00' FROM xiaoan.producer WHERE name = 'cam2_$$'")" t "--expires is stored"
is "$(PGUSER=xiaoan_hub q -c "SELECT xiaoan.producer_auth('$tok2')")" "cam2_$$" "and that token works"

# hub role and look-ups ----------------------------------------------------------------
like "$("$ADMIN" --db "$DBCONN" hub-role)" "xiaoan_hub can (already|now) log in" "hub-role"
is "$(q -c 'SELECT count(*) FROM xiaoan.alert_type WHERE NOT is_hazard')" 12 "psql: twelve alert types"
is "$(q -F ' ' -c "SELECT code, extract(epoch FROM xiaoan.sign_limit_of(t))::int / 60,
                        extract(epoch FROM feedback_limit)::int / 60, extract(epoch FROM close_limit)::int / 3600 FROM xiaoan.alert_type t WHERE NOT is_hazard ORDER BY code" |
     tr '\n' ';')" \
   "dorm_absence 5 60 12;drowning 3  2;food_safety 5 60 12;gate_open 5 10 12;guard_absent 5  12;legal_edu   12;mental_care 3  24;minor_venue 5 60 12;panic_alarm 5 15 2;patrol_post 5 15 12;risk_person 5 15 2;traffic 3  2;" \
   "psql: their sign, feedback (minutes) and close (hours) limits"
types=$("$ADMIN" --db "$DBCONN" types)
is "$(tail -n +2 <<<"$types" | wc -l)" 13 "types: the twelve and the reported hazard"
like "$(grep '^gate_open' <<<"$types")" "5 min \\(promptly\\) +10 min +12 h" "types: gate_open's limits"
like "$(grep '^legal_edu' <<<"$types")" "12 h after it occurred" "types: legal_edu's clock"
is "$("$ADMIN" --db "$DBCONN" schools --town 锦屏街道 | tail -n +2 | wc -l)" \
   "$(q -c "SELECT count(*) FROM xiaoan.unit WHERE kind = 'school' AND town = 'fh.jp'")" "schools --town by name"
is "$("$ADMIN" --db "$DBCONN" units --kind town | tail -n +2 | wc -l)" 12 "units --kind town: twelve towns"

# usage and connection errors ---------------------------------------------------------------
"$ADMIN" --help >/dev/null; is $? 0 "--help"
like "$("$ADMIN" --version)" "^xiaoan-admin " "--version"
"$ADMIN" >/dev/null 2>&1; is $? 2 "no command: usage error"
"$ADMIN" frobnicate >/dev/null 2>&1; is $? 2 "unknown command: usage error"
"$ADMIN" --bogus migrate >/dev/null 2>&1; is $? 2 "unknown option: usage error"
"$ADMIN" --db "$DBCONN" officer add someone --name x >/dev/null 2>&1; is $? 2 "officer add without --unit/--role"
"$ADMIN" --db "$DBCONN" officer add someone --name x --unit fh.duty --role chief >/dev/null 2>&1; is $? 2 "an unknown role"
"$ADMIN" --db "$DBCONN" token create cam --days 0 >/dev/null 2>&1; is $? 2 "token create --days 0"
"$ADMIN" --db "$DBCONN" token create cam --expires tomorrow >/dev/null 2>&1; is $? 2 "token create --expires not RFC 3339"
"$ADMIN" --db "$DBCONN" units --kind galaxy >/dev/null 2>&1; is $? 2 "units --kind unknown"
err=$("$ADMIN" --db "host=$TMP/no-server port=1" units 2>&1); rc=$?
is "$rc" 1 "a database that is not there: status 1"
like "$err" "cannot connect to the database .*No such file or directory.*check --db / PGHOST" "and a message saying what to check"
err=$("$ADMIN" --db "host=$PGHOST port=$PGPORT dbname=no_such_db_$$" units 2>&1); rc=$?
like "$err" "database \"no_such_db_$$\" does not exist" "a wrong database name is named"

done_testing
