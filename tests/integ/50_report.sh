#!/usr/bin/env bash
# xiaoan-admin report on the fixed data set of the statistics tests
# (tests/sql/50_stats_data.psql): the report shows the hand-computed figures
# of tests/sql/50_stats.sql, the CSV files hold the expected rows and equal
# what the SQL functions (the console's source) return, text from the
# database cannot break the Markdown or reach a spreadsheet as a formula.
. "$(dirname "$0")/../lib.sh"

ADMIN=$BUILD/xiaoan-admin
ROLES="t50_sup, t50_yl, t50_s001, t50_pol"
trap '_cleanup; q -d postgres -c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1' EXIT

if ! "$ADMIN" --help 2>&1 | grep -q '^  report'; then
  echo "1..0 # SKIP xiaoan-admin has no report command yet"
  exit 0
fi

new_db report
q -f "$TOP/tests/sql/50_stats_data.psql" >/dev/null 2>&1 || { echo "Bail out! loading the data set failed"; exit 1; }
# One more case on 2 November whose summary carries a pipe, an escape, a
# comma and a formula.
q -c "INSERT INTO xiaoan.cases(id, type, school, town, sensitive, summary, source, source_id, issuer, holder,
        occurred_at, opened_at, clock_start, sign_start, sign_due, close_due)
      VALUES (200, 'traffic', 'S010', 'fh.jp', false, E'=1+1, a|b\x1b[2J', 'fixture', '200', 'fh.duty', 'fh.law',
        '2026-11-02 10:00+08', '2026-11-02 10:00+08', '2026-11-02 10:00+08', '2026-11-02 10:00+08',
        '2026-11-02 10:03+08', '2026-11-02 12:00+08');
      INSERT INTO xiaoan.case_unit VALUES (200, 'fh.law', 'holder')" >/dev/null

rep() { "$ADMIN" --db "$DBCONN" report "$@"; }
OCT_SQL="'2026-10-01 00:00+08', '2026-11-01 00:00+08'"

# The monthly report of October 2026 ------------------------------------------------------
out=$TMP/oct
err=$(rep monthly --month 2026-10 --out "$out" 2>&1 >/dev/null); rc=$?
is "$rc" 0 "report monthly --month 2026-10 --out DIR"
like "$err" "wrote $out/report.md and 12 CSV files" "it says what it wrote"
md=$(cat "$out/report.md")
has() { grep -qxF -- "$2" <<<"$1"; }
has "$md" '# 奉化区“护校安园”工作月报（2026年10月）'; ok $? "title with the district and the month"
has "$md" '- 统计范围：全区'; ok $? "the scope"
has "$md" '- 统计期间：2026-10-01 00:00 至 2026-11-01 00:00（Asia/Shanghai，不含结束时刻），按案件推送时间计'
ok $? "the period in the district's time"
for line in '| 案件数 | 12 |' '| 按时签收率 | 71.4% |' '| 按时先期反馈率 | 60.0% |' '| 按时闭环率 | 70.0% |' \
            '| 平均签收用时 | 16分 |' '| 签收用时中位数 | 5分 |' '| 平均闭环用时 | 2天5小时 |' \
            '| 闭环用时中位数 | 11小时 |' '| 超时案件 | 5 |' '| 重新办理 | 1 |'; do
  has "$md" "$line"; ok $? "totals: $line"
done
has "$md" '| 锦屏街道 | 8 | 83.3% | 75.0% | 75.0% | 14分15秒 | 4分30秒 | 2天11小时 | 12小时 | 4 | 1 |'
ok $? "per town: 锦屏街道"
has "$md" '| 岳林街道 | 4 | 0.0% | 0.0% | 50.0% | 30分 | 30分 | 6小时 | 6小时 | 1 | 0 |'
ok $? "per town: 岳林街道"
has "$md" '| 锦屏派出所 | 1 | 100.0% | 0.0% | 100.0% | 4分 | 4分 | 11小时 | 11小时 | 1 | 0 |'
ok $? "per unit: the forwarded case's station, its restarted sign clock (4 min)"
has "$md" '| 奉化区岳林新城小学 | 1 | — | — | — | — | — | — | — | 0 | 0 |'
ok $? "per unit: stages not yet due show a dash"
has "$md" '| 协同处置隐患 | 4 | 100.0% | — | 66.7% | 31分20秒 | 30分 | 6天4小时 | 6天9小时 | 1 | 0 |'
ok $? "per type: hazards"
like "$md" '\| 奉化区岳林爱华幼儿园 \| 3 \| 1 \| 2026-10-10 14:05 \| [0-9]+天' "overdue stages by unit, oldest due first"
like "$md" '\| 5 \| 校园封闭式管理 \| 奉化区岳林爱华幼儿园 \| 奉化区岳林爱华幼儿园 \| 待签收 \| 签收严重超时，挂牌督办 \| 2026-10-15 \| 是 \| 挂牌督办 \|' \
  "supervised cases with their progress"
has "$md" '| 1 | 奉化区锦屏雪窦中学 | 锦屏街道 | 6 | 3 | 校园封闭式管理×3、协同处置隐患×2 |'
ok $? "problem-prone schools ranked"
like "$md" '\| 奉化区锦屏长汀中学 \| 锦屏街道 \| 是 \| 是 \| 否 \| 是 \| 0 \| 0 \| 1 \| 0 \|' \
  "the baseline lists a school whose alarm went offline"
for line in '| 上报隐患 | 4 |' '| 已化解 | 1 |' '| 正在化解（明确完成时限） | 1 |' '| 其中已过承诺时限 | 1 |' \
            '| 难以短期化解（提请领导研商） | 1 |'; do
  has "$md" "$line"; ok $? "hazards: $line"
done
like "$md" '\| 12 \| 奉化区锦屏雪窦中学 \| 周边水域险情 \|' "the hazard for leadership review is listed"
like "$md" '数据文件（CSV，UTF-8）：stats_all.csv、stats_unit.csv' "the report lists its CSV files"

# CSV -----------------------------------------------------------------------------------
is "$(cat "$out/stats_all.csv")" \
"key,label,cases,sign_on_time_pct,feedback_on_time_pct,close_on_time_pct,mean_sign_secs,median_sign_secs,mean_close_secs,median_close_secs,overdue,reopened
all,奉化区,12,71.4,60.0,70.0,960,300,192853,39600,5,1" "stats_all.csv"
is "$(tail -n +2 "$out/stats_unit.csv")" "S001,奉化区锦屏雪窦中学,4,75.0,100.0,75.0,240,270,17220,10800,2,1
S017,奉化区岳林爱华幼儿园,2,0.0,0.0,50.0,1800,1800,21600,21600,1,0
S018,奉化区岳林新城小学,1,,,,,,,,0,0
fh.jp.cmd,锦屏街道四平台指挥室,2,,,50.0,2700,2700,624600,624600,1,0
fh.jp.pol,锦屏派出所,1,100.0,0.0,100.0,240,240,39600,39600,1,0
fh.law,区综合执法局,1,100.0,,100.0,240,240,356400,356400,0,0
fh.yl.cmd,岳林街道四平台指挥室,1,,,,,,,,0,0" "stats_unit.csv"
is "$(tail -n +2 "$out/stats_school.csv")" "S001,奉化区锦屏雪窦中学,6,80.0,100.0,66.7,500,270,187280,30600,3,1
S002,奉化区锦屏城北九年一贯制学校,2,100.0,0.0,100.0,1920,1920,295200,295200,1,0
S017,奉化区岳林爱华幼儿园,3,0.0,0.0,50.0,1800,1800,21600,21600,1,0
S018,奉化区岳林新城小学,1,,,,,,,,0,0" "stats_school.csv"
for g in town type; do
  is "$(cat "$out/stats_$g.csv")" "$(psql -X -q --csv -c "SELECT * FROM xiaoan.stats($OCT_SQL, '$g')")" \
    "stats_$g.csv equals xiaoan.stats(), what the console shows"
done
is "$(cut -d, -f1 "$out/cases.csv" | tail -n +2 | paste -sd,)" "1,2,3,4,5,6,10,11,12,9,13,7" \
  "cases.csv: the 12 October cases in order of opening"
is "$(grep '^4,' "$out/cases.csv" | cut -d, -f14-18)" \
  "2026-10-08T07:10:00+08:00,2026-10-08T07:15:00+08:00,2026-10-08T07:14:00+08:00,240,true" \
  "cases.csv: the forwarded case's sign clock, time and verdict"
is "$(awk -F, 'NR > 1 && $27 == "true"' "$out/cases.csv" | wc -l)" 5 "cases.csv: 5 overdue cases, as the totals say"
is "$(cut -d, -f1,24 "$out/hazards.csv" | tail -n +2 | paste -sd' ')" \
  "10,resolved 11, 12,hard_to_resolve 13,in_progress_committed" "hazards.csv: the October hazards and outcomes"
is "$(cut -d, -f1,10 "$out/overdue.csv" | tail -n +2 | head -3 | paste -sd' ')" "5,sign 5,feedback 5,close" \
  "overdue.csv: oldest due first"
is "$(head -c 3 "$out/stats_all.csv" | od -An -tx1 | tr -d ' ')" "6b6579" "no byte-order mark by default"

# Text from the database ---------------------------------------------------------------------
nov=$TMP/nov
rep monthly --from 2026-11-02 --to 2026-11-02 --out "$nov" --bom 2>/dev/null
ok $? "a one-day report"
is "$(head -c 3 "$nov/cases.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "--bom starts the CSV with a byte-order mark"
like "$(grep '^200,' "$nov/cases.csv")" "^200,traffic,交通安全治理,S010,.*,\"'=1\\+1, a\\|b.{1,3}\\[2J\"," \
  "a formula-like summary is quoted and defused"
! grep -q $'\x1b' "$nov"/* ; ok $? "no escape byte reaches any file"
like "$(cat "$nov/report.md")" '（2026年11月2日）' "a one-day range is named by its day"

# Weekly, scopes, text format, standard output -------------------------------------------------
week=$(rep weekly --week 2026-W41 --scope town:fh.jp 2>/dev/null)
has "$week" '# 奉化区校园安全专项整治工作周报（2026年第41周，10月5日至10月11日）'; ok $? "the weekly report's title"
has "$week" '- 统计范围：锦屏街道'; ok $? "scope town:fh.jp"
has "$week" '| 案件数 | 4 |'; ok $? "week 41 in 锦屏街道: 4 cases"
has "$week" '| 按时签收率 | 75.0% |'; ok $? "week 41 in 锦屏街道: signed on time 75.0%"
police=$(rep monthly --month 2026-10 --scope unit:fh.police 2>/dev/null)
has "$police" '| 案件数 | 7 |'; ok $? "scope unit:fh.police: the 7 cases it was a party to"
has "$police" '| 按时签收率 | 66.7% |'; ok $? "scope unit:fh.police: 66.7% signed on time"
txt=$(rep monthly --month 2026-10 --format txt 2>/dev/null)
like "$txt" $'\n按时签收率 +71\\.4%\n' "plain text: aligned figures"
like "$txt" $'\n一、总体情况\n' "plain text: numbered sections"
[[ "$txt" != *"| --- |"* ]]; ok $? "plain text has no Markdown"
days=$(rep monthly --from 2026-10-05 --to 2026-10-07 2>/dev/null)
has "$days" '| 案件数 | 3 |'; ok $? "--from/--to takes whole days, both included"

# Usage errors ------------------------------------------------------------------------------
for args in "monthly --month 2026-13" "monthly --scope town:S001" "yearly" "monthly --week 2026-W41" \
            "weekly --from 2026-10-01" "monthly --format pdf"; do
  # shellcheck disable=SC2086
  rep $args >/dev/null 2>&1
  is "$?" 2 "usage error: report $args"
done
err=$(rep monthly --scope town:nowhere 2>&1 >/dev/null)
like "$err" 'scope "town:nowhere" is not valid' "a bad scope names itself"

done_testing
