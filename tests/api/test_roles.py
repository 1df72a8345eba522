"""Who may do what (huiqi.auth.roles), case by case as the issue states it."""

from __future__ import annotations

import pytest

from huiqi.auth import roles
from huiqi.auth.roles import Principal, Role

A, B = "91330108MA27Y5XH14", "91330108MA2CFQ8R04"
firm_a = Principal("firm-a", Role.ENTERPRISE, A)
kejiju = Principal("k", Role.OFFICIAL, "区科技局")
jingxinju = Principal("j", Role.OFFICIAL, "区经信局")
finance = Principal("f", Role.FINANCE)
auditor = Principal("a", Role.AUDITOR)
admin = Principal("root", Role.ADMIN)


def test_an_enterprise_sees_and_edits_only_its_own_enterprise():
    assert roles.may_read_enterprise(firm_a, A) and roles.may_edit_enterprise(firm_a, A)
    assert not roles.may_read_enterprise(firm_a, B) and not roles.may_edit_enterprise(firm_a, B)


def test_officials_work_on_the_policies_of_their_own_department():
    # 002 三 is led by 区科技局 (（牵头单位：区科技局；…）), 002 六 by 区经信局.
    assert roles.may_work_on_policy(kejiju, "区科技局")
    assert not roles.may_work_on_policy(jingxinju, "区科技局")
    assert not roles.may_read_policy_work(jingxinju, "区科技局")


def test_the_auditor_reads_everything_and_changes_nothing():
    assert roles.may_read_enterprise(auditor, A) and roles.may_read_policy_work(auditor, "区科技局")
    assert roles.may_read_accounts(auditor)
    assert not any(
        [
            roles.may_edit_enterprise(auditor, A),
            roles.may_work_on_policy(auditor, "区科技局"),
            roles.may_approve_payment(auditor),
            roles.may_manage_accounts(auditor),
        ]
    )


def test_only_finance_approves_payments_and_only_admin_manages_accounts():
    everyone = [firm_a, kejiju, finance, auditor, admin]
    assert [p for p in everyone if roles.may_approve_payment(p)] == [finance]
    assert [p for p in everyone if roles.may_manage_accounts(p)] == [admin]
    assert not roles.may_read_enterprise(admin, A)  # managing accounts needs nobody's business data


@pytest.mark.parametrize(
    ("role", "unit", "expected"),
    [
        (Role.ENTERPRISE, " 91330108ma27y5xh14 ", A),  # normalised (stdnum upper-cases and strips)
        (Role.OFFICIAL, "区科技局", "区科技局"),
        (Role.FINANCE, "", None),
    ],
)
def test_check_unit_accepts(role, unit, expected):
    assert roles.check_unit(role, unit) == expected


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.ENTERPRISE, None),
        (Role.ENTERPRISE, "91330108MA27Y5XH15"),
        (Role.OFFICIAL, "kejiju"),
        (Role.AUDITOR, "区审计局"),
    ],
)
def test_check_unit_refuses(role, unit):
    with pytest.raises(ValueError):
        roles.check_unit(role, unit)
