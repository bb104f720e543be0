#!/usr/bin/env bash
# Refreshes the message catalogues from the sources: extracts every _() and
# N_() string of the console into po/xiaoan.pot, then merges it into each
# po/<lang>.po (new msgids arrive untranslated, changed ones fuzzy) and
# prints how much of each catalogue is translated.
#   scripts/i18n-update.sh          update po/xiaoan.pot and po/*.po
#   scripts/i18n-update.sh --check  fail when a catalogue has untranslated or
#                                   fuzzy messages (for CI)
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
[ "${1:-}" = "--check" ] && check=1

# Sorted for a stable .pot; the headers hold the action help texts (N_).
mapfile -t sources < <(ls src/console/*.c include/xiaoan/*.h | LC_ALL=C sort)
printf '%s\n' "${sources[@]}" > po/POTFILES

xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
  --add-comments=TRANSLATORS: --sort-by-file --no-wrap \
  --package-name=xiaoan --msgid-bugs-address=xiaoan-dev \
  --files-from=po/POTFILES -o po/xiaoan.pot.new
# The creation date changes on every run: keep the old file when nothing
# else did, so the tree stays clean.
if [ -f po/xiaoan.pot ] &&
   diff -q <(grep -v '^"POT-Creation-Date' po/xiaoan.pot) \
           <(grep -v '^"POT-Creation-Date' po/xiaoan.pot.new) >/dev/null; then
  rm po/xiaoan.pot.new
else
  mv po/xiaoan.pot.new po/xiaoan.pot
fi

status=0
for po in po/*.po; do
  [ -e "$po" ] || continue
  msgmerge --quiet --update --backup=none --no-wrap --sort-by-file "$po" po/xiaoan.pot
  # Messages gone from the sources are dropped, not kept as #~ history.
  msgattrib --no-obsolete --no-wrap --sort-by-file -o "$po" "$po"
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1)
  echo "$po: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) status=1 ;;
  esac
done
[ "$check" -eq 1 ] && exit "$status"
exit 0
