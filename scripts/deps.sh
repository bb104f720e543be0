#!/usr/bin/env bash
# Checks every library and tool xiaoan needs to build and test. As root it
# installs what is missing with apt-get (Debian names); otherwise it prints the
# exact command to run and fails.
set -euo pipefail

# pkg-config module -> Debian package
declare -A PKG=(
  [ncursesw]=libncurses-dev
  [libpq]=libpq-dev
  [libwebsockets]=libwebsockets-dev
  [json-c]=libjson-c-dev
  [libnotify]=libnotify-dev
  [cmocka]=libcmocka-dev
)
# tool -> Debian package
declare -A TOOL=(
  [cc]=gcc
  [make]=make
  [pkg-config]=pkg-config
  [msgfmt]=gettext
  [tmux]=tmux
  [curl]=curl
  [node]=nodejs
  [pg_prove]=libtap-parser-sourcehandler-pgtap-perl
  [prove]=perl
  [runuser]=util-linux
  [valgrind]=valgrind
  [htop]=htop
  [jq]=jq
  [openssl]=openssl
  [python3]=python3
  [Xvfb]=xvfb
  [dbus-run-session]=dbus
  [dunst]=dunst
  [dunstctl]=dunst
)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

missing=()
for m in "${!PKG[@]}"; do
  pkg-config --exists "$m" 2>/dev/null || missing+=("${PKG[$m]}")
done
for t in "${!TOOL[@]}"; do
  command -v "$t" >/dev/null 2>&1 || missing+=("${TOOL[$t]}")
done
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pgbench" ] || missing+=(postgresql postgresql-contrib)
[ -d /usr/share/nodejs/ws ] || missing+=(node-ws)
ls /usr/share/postgresql/*/extension/pgtap.control >/dev/null 2>&1 || missing+=(postgresql-15-pgtap)
[ -d /usr/share/i18n/locales ] && [ -f /usr/share/i18n/locales/zh_CN ] || missing+=(locales)

# The Chinese UI is tested under zh_CN.UTF-8 (gettext ignores LANGUAGE in the C locale).
need_locale() { ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; }
make_locale() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "xiaoan: the zh_CN.UTF-8 locale is missing. Run as root:" >&2
    echo "  localedef -i zh_CN -f UTF-8 zh_CN.UTF-8" >&2
    exit 1
  fi
  localedef -i zh_CN -f UTF-8 zh_CN.UTF-8
}

if [ ${#missing[@]} -eq 0 ]; then
  if need_locale; then make_locale; fi
  exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
cmd="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "xiaoan: missing build/test dependencies. Run as root:" >&2
  echo "  apt-get update && $cmd" >&2
  exit 1
fi
echo "xiaoan: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if need_locale; then make_locale; fi
echo "xiaoan: dependencies installed" >&2
