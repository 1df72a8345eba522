"""A small seeded registry for the redemption demo: three import files (entities, yearly facts,
events) that exercise document 002 (两链融合) for 2023.

``python -m huiqi.redemption.demo_data OUTDIR [--enterprises N] [--seed S]`` writes
``entities.csv``, ``yearly.csv``, ``events.csv`` and ``paid_2022.csv``. Credit codes are real-format
统一社会信用代码 with a valid check digit (``stdnum.cn.uscc``), so the registry's import accepts them.
``scripts/demo_redemption.sh`` and the redemption tests use it; ``huiqi demo`` imports the synthetic
population instead (``huiqi registry import-population``). The first three enterprises are fixed so
the demo can name them; the rest are drawn from ``random.Random(seed)``:

1. a 省级专精特新中小企业 in 2022 promoted to 专精特新小巨人 in 2023 (002/六: 20万元 then 100万元).
   Its 2022 award of 20万元 is paid through the ledger from ``paid_2022.csv`` (a ``huiqi ledger pay``
   file, item group ``ladder:专精特新``), so 2023 owes the difference, 80万元 (002/十六 补差);
2. a 隐形冠军 in 2023 (100万元) whose fiscal revenue is not in the district in 2023 (not eligible);
3. a chain leader (链主) that leads a new 企业创新联合体 at province level in 2023 (002/三: 50万元) and
   spends on R&D (002/六 链主研发: discretionary, ceiling 20% of R&D).
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from stdnum.cn import uscc

ENTITY_HEADER = ["kind", "name", "credit_code", "industry", "district", "founded"]
YEARLY_HEADER = ["entity_key", "year", "is_fiscal_revenue_in_district", "is_innovation_org_member",
                 "is_chain_leader", "rd_expense_fen", "revenue_fen"]  # fmt: skip
EVENT_HEADER = ["entity_key", "event", "date", "title", "level", "org_type", "role", "subject"]
INDUSTRIES = ("人工智能", "集成电路", "信息技术", "生命健康", "新材料")
PAID_HEADER = ["key", "beneficiary", "item", "item_group", "period", "budget_line", "budget_year",
               "amount_fen", "citation", "ordered_on"]  # fmt: skip
# 002/六 as the text writes it: the award the 2022 payment was made under.
AWARD_QUOTE = (
    "对“单项冠军”企业、“专精特新小巨人”企业、“隐形冠军”企业、省级“专精特新”中小企业分别给予200万元、100万元、"
    "100万元、20万元一次性奖励。"
)
PROVINCIAL_SPECIALIZED_FEN = 200_000 * 100  # 20万元, 002/六

TITLES = (("专精特新小巨人", "国家"), ("专精特新中小企业", "省"), ("隐形冠军", "省"), ("单项冠军", "国家"))


def credit_code(serial: int) -> str:
    """A valid 统一社会信用代码 (registered in 杭州市滨江区, 330108) for a serial number."""
    body = f"91330108{serial:09d}"
    return body + uscc.calc_check_digit(body)


def generate(n: int = 12, seed: int = 2023) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """(entities, yearly, events) rows for ``n`` enterprises (n >= 3)."""
    rng = random.Random(seed)
    entities, yearly, events = [], [], []
    for i in range(1, n + 1):
        code = credit_code(i)
        entities.append(
            [
                "enterprise",
                f"杭州示例{i:02d}科技有限公司",
                code,
                rng.choice(INDUSTRIES),
                "滨江区",
                "2016-05-01",
            ]
        )
        in_district = "false" if i == 2 else "true"
        chain = "true" if i == 3 else "false"  # the chain leader is also the innovation-org member
        rd = str(rng.randrange(100, 5000) * 100_000)  # 10万元 … 500万元, whole fen
        for year in (2022, 2023):
            yearly.append(
                [code, str(year), in_district if year == 2023 else "true", chain, chain, rd, rd + "0"]
            )
        if i == 1:
            events.append([code, "enterprise_title", "2022-06-15", "专精特新中小企业", "省", "", "", ""])
            events.append([code, "enterprise_title", "2023-07-20", "专精特新小巨人", "国家", "", "", ""])
        elif i == 2:
            events.append([code, "enterprise_title", "2023-05-10", "隐形冠军", "省", "", "", ""])
        elif i == 3:
            events.append(
                [
                    code,
                    "innovation_org_recognized",
                    "2023-04-01",
                    "",
                    "省",
                    "企业创新联合体",
                    "牵头",
                    f"U-{i}",
                ]
            )
        elif rng.random() < 0.6:
            title, level = rng.choice(TITLES)
            events.append(
                [code, "enterprise_title", f"2023-{rng.randint(1, 12):02d}-15", title, level, "", "", ""]
            )
    return entities, yearly, events


def write(folder: Path, n: int = 12, seed: int = 2023) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    entities, yearly, events = generate(n, seed)
    paths = []
    paid = [
        [
            "demo-2022-002-six-1",
            credit_code(1),
            "002/六/专精特新",
            "ladder:专精特新",
            "2022",
            "002",
            "2022",
            str(PROVINCIAL_SPECIALIZED_FEN),
            f"002/六: {AWARD_QUOTE}",
            "2022-12-20",
        ]
    ]
    for name, header, rows in (
        ("paid_2022.csv", PAID_HEADER, paid),
        ("entities.csv", ENTITY_HEADER, entities),
        ("yearly.csv", YEARLY_HEADER, yearly),
        ("events.csv", EVENT_HEADER, events),
    ):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a small seeded registry for the redemption demo.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--enterprises", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args(argv)
    if args.enterprises < 3:
        parser.error("at least 3 enterprises (the first three are the demo's named cases)")
    for p in write(args.folder, args.enterprises, args.seed):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
