"""小微企业创业创新活动券 (003-32): "经核验的每次有效服务补助 50 元。单场创业创新活动补助次数
不超过 200 次。单个服务机构每年获得补助额度最高不超过 20 万元。" — a founder's voucher, signed in at a
reviewed organiser's activity, is one valid service the organiser redeems."""

from __future__ import annotations

from datetime import date

import pytest

from huiqi.engine.evaluate import calculate
from huiqi.engine.profile import parse_profile
from huiqi.store.db import transaction
from huiqi.store.models_vouchers import VoucherRedemption
from huiqi.vouchers import contract, issue, providers, quota, redeem
from huiqi.vouchers.schemes import VoucherError, rule_book

from .conftest import quote
from .registry import YUAN, add

PER_SERVICE = quote("003", "经核验的每次有效服务补助 50 元。单场创业创新活动补助次数不超过 200 次。")
TWELVE = quote("003", "每个创业企业和创业者申领同一服务机构组织的活动的活动券每年不超过 12 张")
ORGANISER_REVIEW = "市科技信息研究院专家评审通过名单"


def _organiser(s, n: int = 1, district: str = "滨江区") -> str:
    key = add(s, "carrier", n, f"众创空间{n}", district=district)
    providers.register(s, "activity", key, ORGANISER_REVIEW, "市科技信息研究院", date(2022, 1, 5))
    return key


def _voucher(s, holder: str, organiser: str, event: str, key: str, on=date(2022, 3, 1)) -> int:
    app = quota.apply(
        s, "activity", holder, on.year, key, holder, on, provider_key=organiser, event_ref=event
    )
    return issue.issue(s, app.id, "活动券管理平台", on).id


def _sign_in_and_redeem(s, voucher_id: int, holder: str, organiser: str, event: str):
    contract.use(s, voucher_id, holder, organiser, event, holder, date(2022, 3, 10))
    return redeem.redeem(s, voucher_id, "市科技信息研究院", date(2022, 4, 1))


def test_a_signed_in_voucher_pays_its_organiser_50_yuan(engine):
    with transaction(engine) as s:
        organiser = _organiser(s)
        founder = add(s, "talent", 1, "创业者甲")
        voucher_id = _voucher(s, founder, organiser, "A-1", "T1-A1")
        paid = _sign_in_and_redeem(s, voucher_id, founder, organiser, "A-1")
        assert isinstance(paid, VoucherRedemption)
        assert paid.amount_fen == 50 * YUAN and PER_SERVICE in paid.citation
        assert paid.district == "滨江区"
        assert paid.payee_id != paid.holder_id  # the organiser is paid, not the founder


def test_the_voucher_is_for_its_own_activity_and_holder(engine):
    with transaction(engine) as s:
        organiser = _organiser(s)
        founder, other = add(s, "talent", 1, "创业者甲"), add(s, "talent", 2, "创业者乙")
        voucher_id = _voucher(s, founder, organiser, "A-1", "T1-A1")
        with pytest.raises(VoucherError, match="不得转让"):
            contract.use(s, voucher_id, other, organiser, "A-1", other, date(2022, 3, 10))
        with pytest.raises(VoucherError, match="有效服务"):
            contract.use(s, voucher_id, founder, organiser, "A-2", founder, date(2022, 3, 10))
        with pytest.raises(VoucherError, match="一人一券"):  # a second voucher for the same activity
            _voucher(s, founder, organiser, "A-1", "T1-A1-again")


def test_at_most_12_vouchers_a_year_from_one_organiser(engine):
    with transaction(engine) as s:
        organiser, elsewhere = _organiser(s, 1), _organiser(s, 2)
        founder = add(s, "talent", 1, "创业者甲")
        for n in range(12):
            _voucher(s, founder, organiser, f"A-{n}", f"T1-A{n}")
    with (
        transaction(engine) as s,
        pytest.raises(VoucherError, match=r"cap is reached \(0 张 left\)") as refused,
    ):
        _voucher(s, founder, organiser, "A-12", "T1-A12")
    assert TWELVE in str(refused.value)
    with transaction(engine) as s:  # another organiser's activity is counted apart
        assert _voucher(s, founder, elsewhere, "B-1", "T1-B1") > 0


def test_at_most_200_paid_services_an_activity_as_the_engine_computes(engine):
    with transaction(engine) as s:
        organiser = _organiser(s)
        paid, refused = [], []
        for n in range(201):
            founder = add(s, "talent", n + 1, f"创业者{n}")
            voucher_id = _voucher(s, founder, organiser, "A-1", f"T{n}-A1")
            contract.use(s, voucher_id, founder, organiser, "A-1", founder, date(2022, 3, 10))
            try:
                with s.begin_nested():
                    paid.append(redeem.redeem(s, voucher_id, "市科技信息研究院", date(2022, 4, 1)).amount_fen)
            except VoucherError as exc:
                refused.append(str(exc))
    # 200 × 50元 = 10,000元; the 201st service of the activity is not paid
    assert len(paid) == 200 and sum(paid) == 10_000 * YUAN
    assert len(refused) == 1 and "all its paid services" in refused[0]
    # the same figure as the rule file's item computes for an activity of 201 valid services
    profile = parse_profile(
        {
            "kind": "carrier",
            "id": "o",
            "events": [
                {
                    "type": "activity_voucher_event",
                    "date": "2022-03-10",
                    "valid_services": 201,
                    "subject": "A-1",
                }
            ],
        }
    )
    calc = calculate(rule_book(), profile, 2022, near_misses=False, documents=["003-32"])
    assert calc.total_fen == sum(paid)


def test_no_activity_voucher_after_the_measures_expired(engine):
    # 003-32 第十一条: 有效期至 2022 年 12 月 31 日
    with transaction(engine) as s:
        organiser = _organiser(s)
        founder = add(s, "talent", 1, "创业者甲")
        with pytest.raises(VoucherError, match="003-32 is not in force on 2023-03-01"):
            quota.apply(
                s, "activity", founder, 2023, "late", founder, date(2023, 3, 1), provider_key=organiser,
                event_ref="A-1",
            )  # fmt: skip


def test_a_voucher_of_2021_redeemed_in_2022_is_void(engine):
    # 003-32 第三条: "每年根据…实际使用情况兑付" — a year's vouchers are paid out of that year
    with transaction(engine) as s:
        organiser = _organiser(s)
        founder = add(s, "talent", 1, "创业者甲")
        with pytest.raises(VoucherError, match="only from 2022-01-05"):  # registered after the activity
            quota.apply(
                s, "activity", founder, 2021, "old", founder, date(2021, 11, 1), provider_key=organiser,
                event_ref="A-1",
            )  # fmt: skip
    with transaction(engine) as s:
        late = add(s, "carrier", 9, "众创空间9")
        providers.register(s, "activity", late, ORGANISER_REVIEW, "市科技信息研究院", date(2021, 1, 5))
        voucher_id = _voucher(s, founder, late, "A-1", "old-1", on=date(2021, 11, 1))
        contract.use(s, voucher_id, founder, late, "A-1", founder, date(2021, 11, 2))
        answer = redeem.redeem(s, voucher_id, "市科技信息研究院", date(2022, 1, 10))
    assert isinstance(answer, redeem.Voided) and "003-32/第三条" in answer.reason
