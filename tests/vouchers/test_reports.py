"""The city's share of each district's redemptions in a year.

活动券, 003-32 第八条: "市与上城区、…、滨江区、…的承担比例为 1:1，市与萧山区、余杭区、…的承担
比例为 1:3" (临平区 was carved out of 余杭区 in 2021; a district outside the list is not split).
企业券, 003-23 第七条: the city gives "不超过40%" of what a district redeemed."""

from __future__ import annotations

from datetime import date

from huiqi.store.db import transaction
from huiqi.vouchers import contract, issue, providers, quota, redeem, reports

from .conftest import quote
from .registry import WAN, YUAN, add

SHARING = quote("003", "市与萧山区、余杭区、临安区、桐庐县、建德市、淳安县的承担比例为 1:3")
CITY_CEILING = quote("003", "市财政对各区、县（市）年度需兑现总额给予不超过40%比例的补助")


def test_activity_vouchers_city_share_by_district(engine):
    # organiser's district → valid services redeemed in 2022
    services = {"滨江区": 3, "萧山区": 2, "临平区": 1, "海宁市": 1}
    with transaction(engine) as s:
        n = 0
        for i, (district, count) in enumerate(services.items(), start=1):
            organiser = add(s, "carrier", i, f"众创空间{i}", district=district)
            providers.register(
                s, "activity", organiser, "专家评审通过名单", "市科技信息研究院", date(2022, 1, 5)
            )
            for _ in range(count):
                n += 1
                founder = add(s, "talent", n, f"创业者{n}")
                app = quota.apply(
                    s, "activity", founder, 2022, f"k{n}", founder, date(2022, 3, 1), provider_key=organiser,
                    event_ref="E-1",
                )  # fmt: skip
                voucher = issue.issue(s, app.id, "活动券管理平台", date(2022, 3, 1))
                contract.use(s, voucher.id, founder, organiser, "E-1", founder, date(2022, 3, 10))
                redeem.redeem(s, voucher.id, "市科技信息研究院", date(2022, 4, 1))
    with transaction(engine) as s:
        rows = {r.district: r for r in reports.city_share(s, "activity", 2022)}
    # 滨江区 3 × 50元 = 150元, 1:1 → 75元 : 75元
    assert (rows["滨江区"].total_fen, rows["滨江区"].city_fen, rows["滨江区"].district_fen) == (
        150 * YUAN, 75 * YUAN, 75 * YUAN,
    )  # fmt: skip
    # 萧山区 2 × 50元 = 100元, 1:3 → 25元 : 75元
    assert (rows["萧山区"].city_fen, rows["萧山区"].district_fen) == (25 * YUAN, 75 * YUAN)
    assert SHARING in rows["萧山区"].basis
    # 临平区 as 余杭区, 1:3: 50元 → 12.50元 : 37.50元
    assert (rows["临平区"].named_as, rows["临平区"].city_fen, rows["临平区"].district_fen) == (
        "余杭区",
        1250,
        3750,
    )
    # 海宁市 is not a district of the text: reported, not split
    assert (rows["海宁市"].city_fen, rows["海宁市"].kind) == (None, "none")
    summary = reports.as_json("activity", 2022, list(rows.values()))
    assert summary["total_fen"] == 350 * YUAN and summary["city_fen"] == (75 + 25) * YUAN + 1250


def test_enterprise_vouchers_city_ceiling_of_40_percent(engine):
    with transaction(engine) as s:
        holder = add(s, "enterprise", 1, "杭州甲科技有限公司", years=range(2024, 2025))
        carrier = add(s, "carrier", 1, "某市级创新载体")
        providers.register(
            s, "enterprise", carrier, "市科委公布的市级创新载体名单", "市科委", date(2024, 1, 10)
        )
        for n, (quota_wan, contract_wan) in enumerate([(12, 40), (8, 100)]):
            app = quota.apply(
                s, "enterprise", holder, 2024, f"q{n}", "申请人", date(2024, 3, 1), amount_fen=quota_wan * WAN
            )
            voucher = issue.issue(s, app.id, "滨江区科技局", date(2024, 3, 5))
            contract.use(
                s, voucher.id, holder, carrier, f"2024-{n}", "申请人", date(2024, 4, 2),
                contract_fen=contract_wan * WAN, signed_on=date(2024, 4, 1),
            )  # fmt: skip
            redeem.redeem(s, voucher.id, "滨江区科技局", date(2024, 5, 1))
        [row] = reports.city_share(s, "enterprise", 2024)
    # 30% × 40万 = 12万 (face 12万); 30% × 100万 = 30万, face 8万 → 8万; 20万元 in all
    # the city: at most 40% × 20万元 = 8万元; 滨江区 the rest, 12万元 at least
    assert (row.total_fen, row.city_fen, row.district_fen, row.kind) == (
        20 * WAN,
        8 * WAN,
        12 * WAN,
        "ceiling",
    )
    assert CITY_CEILING in row.basis
