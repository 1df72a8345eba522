"""企业券 (003-23 第六条) from application to redemption, and what the texts refuse on the way.

滨江区's ratio is its own text's, 002 五: "给予不超过认定登记的技术服务合同金额30%补助，单个企业
年最高额度不超过50万元"; the quota of an enterprise is at most 20万元 a year (003-23 第六条).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from huiqi.redemption.audit import verify
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry
from huiqi.store.models_vouchers import Voucher, VoucherRedemption, VoucherUse
from huiqi.vouchers import contract, expiry, issue, providers, quota, redeem
from huiqi.vouchers.schemes import VoucherError

from .conftest import quote
from .registry import WAN, YUAN, add

BINJIANG_RATIO = quote("002", "给予不超过认定登记的技术服务合同金额30%补助，单个企业年最高额度不超过50万元")
QUOTA_CAP = quote("003", "原则上每家企业每年度最高申领额度一般不超过20万元")
OFFICIAL = "滨江区科技局"


def _setup(engine) -> dict[str, str]:
    with transaction(engine) as s:
        keys = {
            "A": add(s, "enterprise", 1, "杭州甲科技有限公司", years=range(2024, 2025)),
            "B": add(s, "enterprise", 2, "杭州乙科技有限公司", years=range(2024, 2025)),
            "W": add(s, "enterprise", 3, "杭州西湖丙科技有限公司", district="西湖区"),
            "K": add(s, "carrier", 1, "某市级创新载体"),
            "U": add(s, "carrier", 2, "未登记的检测机构"),
        }
        providers.register(
            s, "enterprise", keys["K"], "市科委公布的市级创新载体名单", "市科委", date(2024, 1, 10)
        )
    return keys


def _issued(engine, keys, holder="A", amount=20 * WAN, key="A-2024-1", on=date(2024, 3, 1)) -> int:
    with transaction(engine) as s:
        app = quota.apply(s, "enterprise", keys[holder], 2024, key, "申请人", on, amount_fen=amount)
        return issue.issue(s, app.id, OFFICIAL, date(2024, 3, 5)).id


def _use(engine, keys, voucher_id, contract_fen, ref="2024330108000123", holder="A", provider="K", **kw):
    with transaction(engine) as s:
        return contract.use(
            s,
            voucher_id,
            keys[holder],
            keys[provider],
            ref,
            "申请人",
            kw.pop("on", date(2024, 4, 2)),
            contract_fen=contract_fen,
            signed_on=kw.pop("signed_on", date(2024, 4, 1)),
            **kw,
        )


def test_applied_issued_used_and_redeemed_at_30_percent_of_the_contract(engine):
    keys = _setup(engine)
    voucher_id = _issued(engine, keys)
    _use(engine, keys, voucher_id, 40 * WAN)
    with transaction(engine) as s:
        paid = redeem.redeem(s, voucher_id, OFFICIAL, date(2024, 5, 1))
        assert isinstance(paid, VoucherRedemption)
        # 002 五: 30% × 40万元 = 12万元, under the face value of 20万元
        assert paid.amount_fen == 12 * WAN
        assert BINJIANG_RATIO in paid.citation and paid.citation.startswith("002/五/创新券")
        assert paid.district == "滨江区" and paid.payee_id == s.get(Voucher, voucher_id).holder_id
        assert s.get(Voucher, voucher_id).state == "redeemed"
        again = redeem.redeem(s, voucher_id, OFFICIAL, date(2024, 5, 2))  # a retry: the same redemption
        assert again.id == paid.id
        assert verify(s).ok
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
        # one entry per state change; the retry added none
        assert actions == [
            "voucher.provider",
            "voucher.apply",
            "voucher.issue",
            "voucher.use",
            "voucher.redeem",
        ]


def test_the_face_value_bounds_what_the_ratio_gives(engine):
    keys = _setup(engine)
    voucher_id = _issued(engine, keys, amount=15 * WAN)
    _use(engine, keys, voucher_id, 100 * WAN)
    with transaction(engine) as s:
        paid = redeem.redeem(s, voucher_id, OFFICIAL, date(2024, 5, 1))
    # 30% × 100万元 = 30万元, but the voucher is for 15万元
    assert paid.amount_fen == 15 * WAN and "以券面额15万元为限" in paid.citation


def test_the_yearly_quota_of_20_wan_is_a_cap(engine):
    keys = _setup(engine)
    _issued(engine, keys, amount=12 * WAN, key="A-1")
    with transaction(engine) as s:
        app = quota.apply(
            s, "enterprise", keys["A"], 2024, "A-2", "申请人", date(2024, 6, 1), amount_fen=9 * WAN
        )
        with pytest.raises(VoucherError, match=r"cap is reached \(8万元 left\)") as refused:
            issue.issue(s, app.id, OFFICIAL, date(2024, 6, 2))
        assert QUOTA_CAP in str(refused.value)
    with transaction(engine) as s:  # 8万元 of the 9万元 asked fits: 12 + 8 = 20万元
        assert issue.issue(s, app.id, OFFICIAL, date(2024, 6, 2), face_fen=8 * WAN).face_fen == 8 * WAN


def test_another_district_gives_its_ratio_at_issue(engine):
    keys = _setup(engine)
    with transaction(engine) as s:
        app = quota.apply(
            s, "enterprise", keys["W"], 2024, "W-1", "申请人", date(2024, 3, 1), amount_fen=5 * WAN
        )
        with pytest.raises(VoucherError, match="给予一定比例的企业券补助"):
            issue.issue(s, app.id, "西湖区科技局", date(2024, 3, 5))
    with transaction(engine) as s:
        v = issue.issue(
            s, app.id, "西湖区科技局", date(2024, 3, 5), rate="20%", rate_basis="西湖区创新券细则"
        )
        assert v.rate == "0.2"
    _use(engine, keys, v.id, 3_333_333, holder="W")  # 33,333.33元
    with transaction(engine) as s:
        paid = redeem.redeem(s, v.id, "西湖区科技局", date(2024, 5, 1))
    # 20% × 3,333,333 fen = 666,666.6 fen → 666,667 fen (四舍五入)
    assert paid.amount_fen == 666_667 and "西湖区创新券细则" in paid.citation


def test_a_voucher_cannot_change_hands(engine):
    keys = _setup(engine)
    voucher_id = _issued(engine, keys)
    with pytest.raises(VoucherError, match="不得转让"):
        _use(engine, keys, voucher_id, 10 * WAN, holder="B")
    with transaction(engine) as s:
        b = s.execute(text("SELECT id FROM entities WHERE key = :k"), {"k": keys["B"]}).scalar_one()
    # nor behind the code's back: the holder is tied to the application by a foreign key
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.execute(text("UPDATE vouchers SET holder_id = :b WHERE id = :v"), {"b": b, "v": voucher_id})
    with transaction(engine) as s:
        assert s.get(Voucher, voucher_id).state == "issued"


def test_a_voucher_and_a_contract_are_used_once(engine):
    keys = _setup(engine)
    first = _issued(engine, keys, amount=5 * WAN, key="A-1")
    second = _issued(engine, keys, amount=5 * WAN, key="A-2")
    used = _use(engine, keys, first, 10 * WAN)
    assert _use(engine, keys, first, 10 * WAN).id == used.id  # the same use again: a no-op
    with pytest.raises(VoucherError, match="不重复使用"):
        _use(engine, keys, first, 10 * WAN, ref="2024330108000999")
    with pytest.raises(VoucherError, match="already backs voucher"):
        _use(engine, keys, second, 10 * WAN)  # the contract that backs the first voucher
    with pytest.raises(IntegrityError), transaction(engine) as s:  # the database refuses a second use
        row = s.execute(select(VoucherUse).where(VoucherUse.voucher_id == first)).scalar_one()
        s.execute(
            text(
                "INSERT INTO voucher_uses (voucher_id, holder_id, scheme, year, valid_until, "
                "face_fen, provider_id, provider_entity_id, ref, contract_fen, signed_on, "
                "investment_related, used_on, recorded_by) SELECT voucher_id, holder_id, scheme, year, "
                "valid_until, face_fen, provider_id, provider_entity_id, 'X-1', contract_fen, signed_on, "
                "investment_related, used_on, recorded_by FROM voucher_uses WHERE id = :id"
            ),
            {"id": row.id},
        )


def test_only_a_registered_unrelated_provider(engine):
    keys = _setup(engine)
    voucher_id = _issued(engine, keys)
    with pytest.raises(VoucherError, match="not a registered provider of 企业券"):
        _use(engine, keys, voucher_id, 10 * WAN, provider="U")
    with pytest.raises(VoucherError, match="向非关联的上述创新载体购买"):
        _use(engine, keys, voucher_id, 10 * WAN, investment_related=True)
    with transaction(engine) as s:  # registered only after the day of use
        providers.register(
            s, "enterprise", keys["U"], "省科技厅公布的省级创新载体", "市科委", date(2024, 6, 1)
        )
    with pytest.raises(VoucherError, match="only from 2024-06-01"):
        _use(engine, keys, voucher_id, 10 * WAN, provider="U")
    with pytest.raises(VoucherError, match="登记编号"):
        _use(engine, keys, voucher_id, None)
    assert _use(engine, keys, voucher_id, 10 * WAN).contract_fen == 10 * WAN


def test_redeemed_after_the_work_year_is_refused_and_void(engine):
    keys = _setup(engine)
    voucher_id = _issued(engine, keys)
    _use(engine, keys, voucher_id, 10 * WAN, on=date(2024, 12, 30), signed_on=date(2024, 12, 20))
    with transaction(engine) as s:
        answer = redeem.redeem(s, voucher_id, OFFICIAL, date(2025, 1, 6))
        assert isinstance(answer, redeem.Voided) and "逾期自动作废" in answer.reason
    with transaction(engine) as s:
        v = s.get(Voucher, voucher_id)
        assert (v.state, v.voided_on) == ("void", date(2025, 1, 6))
        assert s.execute(select(VoucherRedemption)).first() is None
        with pytest.raises(VoucherError, match="is void"):
            redeem.redeem(s, voucher_id, OFFICIAL, date(2025, 1, 7))
    # and the database refuses a redemption dated after the work year, whatever the code does
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.execute(
            text("UPDATE vouchers SET state = 'used', voided_on = NULL WHERE id = :v"), {"v": voucher_id}
        )
        use = s.execute(select(VoucherUse)).scalar_one()
        s.add(
            VoucherRedemption(
                voucher_id=voucher_id,
                use_id=use.id,
                holder_id=use.holder_id,
                scheme="enterprise",
                year=2024,
                valid_until=use.valid_until,
                face_fen=use.face_fen,
                payee_id=use.holder_id,
                district="滨江区",
                amount_fen=3 * WAN,
                citation="x",
                redeemed_on=date(2025, 1, 6),
                redeemed_by="x",
            )
        )
        s.flush()


def test_use_outside_the_work_year_is_refused(engine):
    keys = _setup(engine)
    voucher_id = _issued(engine, keys)
    with pytest.raises(VoucherError, match="同一工作年度"):
        _use(engine, keys, voucher_id, 10 * WAN, on=date(2025, 1, 2), signed_on=date(2024, 12, 1))
    with pytest.raises(VoucherError, match="同一工作年度"):
        _use(engine, keys, voucher_id, 10 * WAN, signed_on=date(2024, 3, 1))  # signed before the issue


def test_applying_again_with_the_same_key_is_a_no_op(engine):
    keys = _setup(engine)
    with transaction(engine) as s:
        first = quota.apply(
            s, "enterprise", keys["A"], 2024, "K-1", "申请人", date(2024, 3, 1), amount_fen=YUAN
        )
        again = quota.apply(
            s, "enterprise", keys["A"], 2024, "K-1", "申请人", date(2024, 3, 1), amount_fen=YUAN
        )
        assert first.id == again.id
        with pytest.raises(VoucherError, match="another application"):
            quota.apply(s, "enterprise", keys["B"], 2024, "K-1", "申请人", date(2024, 3, 1), amount_fen=YUAN)
        assert (
            issue.issue(s, first.id, OFFICIAL, date(2024, 3, 2)).id
            == issue.issue(s, first.id, OFFICIAL, date(2024, 3, 3)).id
        )


def test_the_year_end_voids_what_was_not_redeemed_once(engine):
    keys = _setup(engine)
    unused = _issued(engine, keys, amount=5 * WAN, key="A-1")
    used = _issued(engine, keys, amount=5 * WAN, key="A-2")
    _use(engine, keys, used, 10 * WAN)
    with transaction(engine) as s:
        pending = quota.apply(
            s, "enterprise", keys["B"], 2024, "B-1", "申请人", date(2024, 9, 1), amount_fen=WAN
        )
        assert expiry.void_expired(s, date(2024, 12, 31), "滨江区科技局") == ([], [])  # the year is not over
    with transaction(engine) as s:
        assert expiry.void_expired(s, date(2025, 1, 1), "滨江区科技局") == ([unused, used], [pending.id])
    with transaction(engine) as s:
        assert expiry.void_expired(s, date(2025, 1, 2), "滨江区科技局") == ([], [])  # again: nothing more
        assert {v.state for v in s.execute(select(Voucher)).scalars()} == {"void"}
        with pytest.raises(VoucherError, match="is void"):
            issue.issue(s, pending.id, OFFICIAL, date(2025, 1, 2))
