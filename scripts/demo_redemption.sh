#!/usr/bin/env bash
# 免申即享 end to end, all from the CLI, on a small seeded registry (document 002, year 2023):
# import → run → 公示 notice list (xlsx, csv, html) → an objection resolved, a line declined →
# the preparer's approval refused, a second official's approval → payment orders (twice: the
# second pays nothing) → budget report, ledger check, audit verify, replay.
#
# Usage: scripts/demo_redemption.sh [WORKDIR]   (default: a new temporary folder)
# The database is HUIQI_DATABASE_URL if set, else a fresh SQLite file in WORKDIR.
# The dates are fixed (--on) so that the 5-working-day notice window can be walked through.
set -euo pipefail

WORK="${1:-$(mktemp -d -t huiqi-demo-XXXXXX)}"
mkdir -p "$WORK"
export HUIQI_DATABASE_URL="${HUIQI_DATABASE_URL:-sqlite:///$WORK/huiqi.sqlite}"
HUIQI="${HUIQI:-huiqi}"
PYTHON="${PYTHON:-python}"
BUDGET_QUOTE="每年安排专项资金不少于3亿元" # 002 一
MAKER="王经办"    # prepares the run
CHECKER="李复核"  # approves it
step() { printf '\n== %s\n' "$*"; }

step "1. a seeded registry: entities, yearly facts, events (valid credit codes), a 2022 payment"
"$PYTHON" -m huiqi.redemption.demo_data "$WORK/in" --enterprises 12 --seed 2023
"$HUIQI" registry import "$WORK/in/entities.csv" "$WORK/in/yearly.csv" "$WORK/in/events.csv" --by 登记员
"$HUIQI" budget set 002 2022 3 --unit 亿元 --citation "$BUDGET_QUOTE" --by 财政局
"$HUIQI" budget set 002 2023 3 --unit 亿元 --citation "$BUDGET_QUOTE" --by 财政局
"$HUIQI" ledger pay "$WORK/in/paid_2022.csv" --by 财政局

step "2. the run: 002 for 2023, prepared by $MAKER"
"$HUIQI" run 002 --year 2023 --by "$MAKER" --on 2024-03-01
"$HUIQI" run show 1
"$HUIQI" run show 1 --line 1

step "3. 公示: published Friday 2024-03-01 for 5 working days (→ Thursday 2024-03-07)"
"$HUIQI" notice publish 1 --days 5 --by "$MAKER" --on 2024-03-01 --out "$WORK/notice"

step "4. an objection against line 2, kept with a reason; line 4 declined (主动放弃)"
"$HUIQI" objection add 1 --line 2 --by 第三方 --reason "联合体牵头单位资格存疑" --on 2024-03-04
"$HUIQI" objection resolve 1 --keep --by "$CHECKER" --reason "经核，认定文件为省级企业创新联合体牵头单位" --on 2024-03-06
"$HUIQI" notice decline 1 --line 4 --by 杭州示例03科技有限公司 --reason "企业主动放弃股权投资支持" --on 2024-03-05

step "5. decisions after the window: the preparer is refused, the second official approves"
if "$HUIQI" decision approve 1 --by "$MAKER" --reason "自审" --on 2024-03-08; then
  echo "the preparer's approval was accepted: maker-checker is broken" >&2
  exit 1
fi
"$HUIQI" decision approve 1 --by "$CHECKER" --reason "公示期满无异议，按规定兑现" --on 2024-03-08
"$HUIQI" decision approve 1 --line 3 --amount 50 --unit 万元 --by "$CHECKER" \
  --reason "择优：按研发投入核定" --on 2024-03-08

step "6. payment orders (run twice: the second run pays nothing)"
"$HUIQI" pay 1 --by 财政局 --on 2024-03-15
"$HUIQI" pay 1 --by 财政局 --on 2024-03-15

step "7. budget report, ledger invariants, audit chain, replay"
"$HUIQI" budget report --year 2023
"$HUIQI" ledger check
"$HUIQI" audit verify
"$HUIQI" run replay 1
"$HUIQI" notice export 1 --out "$WORK/notice-final"
echo
echo "demo folder: $WORK"
