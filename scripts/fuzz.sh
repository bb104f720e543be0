#!/usr/bin/env bash
# make fuzz: builds the libFuzzer harnesses of tests/fuzz/ with clang into
# build-fuzz/ (ASan + UBSan, the parsers compiled from source, not the gcc
# libraries) and runs each for a bounded time on a copy of its seed corpus.
# Fails if any harness crashes or breaks one of its properties; the input is
# left in build-fuzz/crashes/<harness>/.
#
#   scripts/fuzz.sh [harness...]      default: all of them
#   FUZZ_SECONDS=60                   per harness; 0 = build and replay the
#                                     corpora only
#   FUZZ_JOBS=1                       harnesses run at the same time
#
# As root it installs clang and the libFuzzer runtime when they are missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C.UTF-8 LANG=C.UTF-8

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
OUT=build-fuzz
ALL=(alert xjson proto keymap theme conf text)

# -max_len per parser: room for its real inputs and a little more (a batch
# with a 16 KiB details object; one stream frame; a config file).
declare -A MAXLEN=(
  [alert]=40000 [xjson]=16384 [proto]=8192 [keymap]=8192 [theme]=8192 [conf]=8192 [text]=2048
)
declare -A DICT=(
  [alert]=json [xjson]=json [proto]=json [keymap]=keymap [theme]=theme [conf]=conf [text]=text
)
# The parsers each harness needs, besides src/core/{util,text}.c.
declare -A SRCS=(
  [alert]="src/core/alert.c src/core/xtime.c"
  [xjson]=""
  [proto]="src/core/proto.c src/core/xtime.c src/core/sla.c"
  [keymap]="src/console/keymap.c src/console/action.c src/core/embedded.c $OUT/embedded_data.c"
  [theme]="src/console/theme.c src/core/embedded.c $OUT/embedded_data.c"
  [conf]="src/core/conf.c"
  [text]=""
)

die() { echo "fuzz: $*" >&2; exit 1; }

if [ $# -gt 0 ]; then
  targets=("$@")
  for t in "${targets[@]}"; do [ -n "${MAXLEN[$t]:-}" ] || die "unknown harness '$t' (${ALL[*]})"; done
else
  targets=("${ALL[@]}")
fi
case $FUZZ_SECONDS in ''|*[!0-9]*) die "FUZZ_SECONDS must be a number of seconds";; esac

# ---- toolchain: clang and the libFuzzer runtime of the same version ----
probe() {
  local dir
  dir=$(mktemp -d)
  printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$dir/p.c"
  clang -fsanitize=fuzzer,address,undefined -o "$dir/p" "$dir/p.c" >/dev/null 2>&1
  local rc=$?
  rm -rf "$dir"
  return $rc
}
install_pkgs() {
  if [ "$(id -u)" -ne 0 ]; then
    die "missing $*. Run as root: apt-get update && apt-get install -y $*"
  fi
  echo "fuzz: installing $*" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if ! command -v clang >/dev/null 2>&1; then
  install_pkgs clang
fi
if ! probe; then
  major=$(clang -dumpversion | cut -d. -f1)
  # Debian ships libclang_rt.fuzzer in libclang-rt-N-dev since LLVM 14;
  # older releases had it in libclang-common-N-dev.
  pkg=""
  for p in "libclang-rt-$major-dev" "libclang-common-$major-dev"; do
    if apt-cache show "$p" >/dev/null 2>&1; then pkg=$p; break; fi
  done
  [ -n "$pkg" ] || die "clang $major cannot link -fsanitize=fuzzer and no Debian package provides its libFuzzer runtime"
  install_pkgs "$pkg"
  probe || die "clang $major still cannot link -fsanitize=fuzzer after installing $pkg"
fi
locale -a 2>/dev/null | grep -qix 'C.utf-\?8' || die "the C.UTF-8 locale is missing"

# ---- build ----
mkdir -p "$OUT/obj"
make -s build/gen/embedded_data.c
cp build/gen/embedded_data.c "$OUT/embedded_data.c"
CFLAGS=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -Iinclude -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
read -r -a PKGFLAGS <<<"$(pkg-config --cflags json-c ncursesw)"
read -r -a PKGLIBS <<<"$(pkg-config --libs json-c)"

compile() { # compile <source> [sanitizers]: prints the object
  local src=$1 obj
  obj=$OUT/obj/$(echo "${src%.c}" | tr / _).o
  if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find include tests/fuzz/fuzz.h -newer "$obj" -print -quit)" ]; then
    clang "${CFLAGS[@]}" "${PKGFLAGS[@]}" -fsanitize=fuzzer-no-link,address,undefined -c -o "$obj" "$src" ||
      die "cannot compile $src"
  fi
  echo "$obj"
}

echo "fuzz: building ${targets[*]} into $OUT/"
for t in "${targets[@]}"; do
  objs=()
  for s in src/core/util.c src/core/text.c ${SRCS[$t]}; do objs+=("$(compile "$s")"); done
  clang "${CFLAGS[@]}" "${PKGFLAGS[@]}" -fsanitize=fuzzer,address,undefined -o "$OUT/fuzz_$t" \
    "tests/fuzz/fuzz_$t.c" "${objs[@]}" "${PKGLIBS[@]}" -lm || die "cannot build fuzz_$t"
done

# ---- run ----
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() { # run_one <harness>: 0 clean, 1 crashed
  local t=$1 work=$OUT/corpus/$1 crashes=$OUT/crashes/$1 log=$OUT/logs/$1.log
  local regress=tests/fuzz/regress/$1 args
  rm -rf "$work"
  mkdir -p "$work" "$crashes" "$OUT/logs"
  cp tests/fuzz/corpus/"$t"/* "$work"/
  args=(-max_len="${MAXLEN[$t]}" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashes/"
        -print_final_stats=1 -dict="tests/fuzz/${DICT[$t]}.dict")
  if [ "$FUZZ_SECONDS" -eq 0 ]; then
    args+=(-runs=0)
  else
    args+=(-max_total_time="$FUZZ_SECONDS")
  fi
  local dirs=("$work")
  [ -d "$regress" ] && dirs+=("$regress")
  if "$OUT/fuzz_$t" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
    printf 'ok   %-8s %s\n' "$t" "$(summary "$log" "$work")"
    return 0
  fi
  printf 'FAIL %-8s %s\n' "$t" "$(summary "$log" "$work")"
  grep -E 'ERROR: |SUMMARY: |property violated|runtime error|Test unit written' "$log" | head -n 8 | sed 's/^/    /'
  echo "    log: $log"
  [ -d "$regress" ] && echo "    (the inputs of $regress run first: a known bug not fixed yet fails here too)"
  echo "    minimise: $OUT/fuzz_$t -minimize_crash=1 -runs=100000 -artifact_prefix=$crashes/min- <crash file>"
  echo "    then keep it: cp <minimised file> tests/fuzz/regress/$t/"
  return 1
}

summary() { # summary <log> <corpus dir>
  local runs cov
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$1" | grep -oE '[0-9]+$' || true)
  cov=$(grep -oE 'cov: [0-9]+' "$1" | tail -n 1 | grep -oE '[0-9]+' || true)
  echo "${runs:-?} runs, coverage ${cov:-?}, corpus $(find "$2" -type f | wc -l) files"
}

echo "fuzz: ${FUZZ_SECONDS}s per harness (0 = replay the corpora), $FUZZ_JOBS at a time"
failed=()
if [ "$FUZZ_JOBS" -le 1 ]; then
  for t in "${targets[@]}"; do run_one "$t" || failed+=("$t"); done
else
  mkdir -p "$OUT/logs"
  for t in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$FUZZ_JOBS" ]; do wait -n || true; done
    (rc=0; run_one "$t" >"$OUT/logs/$t.summary" || rc=$?; echo "$rc" >"$OUT/logs/$t.rc") &
  done
  wait
  for t in "${targets[@]}"; do
    cat "$OUT/logs/$t.summary"
    [ "$(cat "$OUT/logs/$t.rc")" = 0 ] || failed+=("$t")
  done
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
