#!/usr/bin/env bash
# make demo: a local PostgreSQL cluster in var/pg, the schema and reference
# data, demo officers, a hub on 127.0.0.1, the simulator feeding it, and the
# console in this terminal. Quit the console (Q) to stop hub and simulator;
# the cluster keeps its data (scripts/pg.sh stop / remove).
#
#   XIAOAN_DEMO_USER=duty1|sup1|jp1|pol1|s001   who you are in the console
#   XIAOAN_DEMO_RATE=2                          simulated alerts per second
#   XIAOAN_HUB_PORT=8460
#   XIAOAN_DEMO_LANG=zh_CN.UTF-8                the console's language (C.UTF-8: English)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=${LC_ALL:-C.UTF-8}
user=${XIAOAN_DEMO_USER:-duty1}
rate=${XIAOAN_DEMO_RATE:-2}
port=${XIAOAN_HUB_PORT:-8460}

if [ ! -t 0 ] || [ ! -t 1 ]; then
  echo "make demo opens the console: run it in a terminal (it needs a TTY)." >&2
  exit 1
fi

conn=$(scripts/pg.sh start)
eval "$(scripts/pg.sh env)"
build/xiaoan-admin --db "$conn" migrate >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$conn" >/dev/null <<'SQL'
SELECT xiaoan.officer_set('duty1', '王伟', 'fh.duty', 'dispatcher');
SELECT xiaoan.officer_set('sup1', '赵敏', 'fh.duty', 'supervisor');
SELECT xiaoan.officer_set('jp1', '李娜', 'fh.jp.cmd', 'town_staff');
SELECT xiaoan.officer_set('pol1', '张强', 'fh.police', 'unit_staff');
SELECT xiaoan.officer_set('s001', '陈静', 'S001', 'school_officer');
SQL
token=$(build/xiaoan-admin --db "$conn" token create demo-sim)

mkdir -p var/log
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Demo stopped. The database keeps running: scripts/pg.sh stop (or remove) when done."
}
trap cleanup EXIT INT TERM

build/xiaoan-hub --listen "127.0.0.1:$port" --db "$conn" --name demo >var/log/hub.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the hub did not start: see var/log/hub.log" >&2; exit 1; }

# A first burst so the screen is not empty, then a steady school-day stream.
build/xiaoan-sim --hub "127.0.0.1:$port" --db "$conn" --token "$token" --burst 30 >/dev/null 2>&1 || true
build/xiaoan-sim --hub "127.0.0.1:$port" --db "$conn" --token "$token" --rate "$rate" --forever \
  >var/log/sim.log 2>&1 &
pids+=($!)

lang=${XIAOAN_DEMO_LANG:-zh_CN.UTF-8}
locale -a 2>/dev/null | grep -qix "${lang/UTF-8/utf8}" || lang=C.UTF-8
echo "Console as $user (logs in var/log/)..."
LC_ALL=$lang LANG=$lang PGUSER=$user build/xiaoan --db "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$user" --hub "127.0.0.1:$port"
