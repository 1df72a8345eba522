"""平台券 (003-23 第九条/2): "专业科技创新服务平台…给予其不超过技术合同金额10%的平台券补贴，单个平台每年度补贴
金额最高不超过100万元". The amount is a decision under the rule's ceiling; the 100万元 counts the year."""

from __future__ import annotations

from datetime import date

import pytest

from huiqi.store.db import transaction
from huiqi.store.models_vouchers import VoucherRedemption
from huiqi.vouchers import contract, issue, providers, quota, redeem
from huiqi.vouchers.schemes import VoucherError

from .conftest import quote
from .registry import WAN, add

ITEM = "003-23/第九条/已建专业平台"
YEAR_CAP = quote("003", "单个平台每年度补贴金额最高不超过100万元")
CITY = "市科委"


def _facts(contract_wan: int) -> dict:
    return {
        "voucher_platform_stage": "已建",
        "voucher_platform_kind": "专业科技创新服务平台",
        "annual_assessment_grade": "合格",
        "voucher_platform_contract_fen": contract_wan * WAN,
    }


def _setup(engine) -> dict[str, str]:
    with transaction(engine) as s:
        keys = {
            "P": add(s, "carrier", 1, "某专业科技创新服务平台"),
            "Q": add(s, "carrier", 2, "未立项的平台"),
            "E": add(s, "enterprise", 1, "杭州甲科技有限公司"),
        }
        providers.register(s, "platform", keys["P"], "市科委立项文件", CITY, date(2023, 12, 1))
    return keys


def _apply(s, keys, key, asked_wan, contract_wan=800, holder="P"):
    return quota.apply(
        s, "platform", keys[holder], 2024, key, "平台", date(2024, 3, 1),
        amount_fen=asked_wan * WAN, item_id=ITEM, facts=_facts(contract_wan),
    )  # fmt: skip


def test_platform_voucher_end_to_end(engine):
    keys = _setup(engine)
    with transaction(engine) as s:
        app = _apply(s, keys, "P-1", 80)
        # 10% × 800万元 of contracts = 80万元, under the 100万元 of the year
        assert app.cap_fen == 80 * WAN
        with pytest.raises(VoucherError, match="give the amount decided"):
            issue.issue(s, app.id, CITY, date(2024, 4, 1))
        voucher = issue.issue(s, app.id, CITY, date(2024, 4, 1), face_fen=60 * WAN)  # the decision
    with transaction(engine) as s:
        contract.use(
            s, voucher.id, keys["P"], keys["P"], "2024330100000777", "平台", date(2024, 5, 1),
            contract_fen=50 * WAN, signed_on=date(2024, 4, 20), client_key=keys["E"],
        )  # fmt: skip
        paid = redeem.redeem(s, voucher.id, CITY, date(2024, 6, 1))
        assert isinstance(paid, VoucherRedemption)
        assert paid.amount_fen == 60 * WAN and paid.district is None
        assert ITEM in paid.citation and "酌定" in paid.citation


def test_over_the_rules_ceiling_or_the_year_cap_is_refused(engine):
    keys = _setup(engine)
    with transaction(engine) as s, pytest.raises(VoucherError, match="over the ceiling of 80万元"):
        _apply(s, keys, "P-0", 81)
    with transaction(engine) as s:
        issue.issue(s, _apply(s, keys, "P-1", 80).id, CITY, date(2024, 4, 1), face_fen=60 * WAN)
    with transaction(engine) as s:
        second = _apply(s, keys, "P-2", 50)
        with pytest.raises(VoucherError, match=r"cap is reached \(40万元 left\)") as refused:
            issue.issue(s, second.id, CITY, date(2024, 6, 1), face_fen=50 * WAN)
        assert YEAR_CAP in str(refused.value)
    with transaction(engine) as s:  # 60 + 40 = 100万元: exactly the cap
        assert issue.issue(s, second.id, CITY, date(2024, 6, 1), face_fen=40 * WAN).face_fen == 40 * WAN


def test_only_a_registered_platform_that_passed_its_assessment(engine):
    keys = _setup(engine)
    with transaction(engine) as s, pytest.raises(VoucherError, match="not a registered provider of 平台券"):
        _apply(s, keys, "Q-1", 10, holder="Q")
    with transaction(engine) as s, pytest.raises(VoucherError, match="not eligible"):
        quota.apply(
            s, "platform", keys["P"], 2024, "P-9", "平台", date(2024, 3, 1), amount_fen=WAN, item_id=ITEM,
            facts={**_facts(800), "annual_assessment_grade": "不合格"},
        )  # fmt: skip
