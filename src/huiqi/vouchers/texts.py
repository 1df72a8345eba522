"""The sentences of 003-23 and 003-32 that bind the lifecycle but carry no amount, so they are not in
the rule files: who issues, the same work year, non-transferable, unrelated providers, 12 张.

Each is quoted verbatim with its clause; ``tests/vouchers/test_texts.py`` checks every quote against
the policy text, as the rule loader does for the rule files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cited:
    """A clause id and the sentence quoted from it."""

    clause: str
    quote: str

    def __str__(self) -> str:
        return f"{self.clause}: {self.quote}"


# 003-23 科技创新券
DISTRICT_ISSUES = Cited("003-23/第六条", "企业券由区、县（市）科技局向企业和创客（或创客团队）发放并兑现")
SELF_APPLIED = Cited("003-23/第六条", "酌请自主申领企业券")
OPEN_RATIO = Cited("003-23/第六条/1", "给予一定比例的企业券补助")
UNRELATED_CARRIER = Cited("003-23/第六条/1", "向非关联的上述创新载体购买")
CARRIER_LIST = Cited("003-23/第六条/1", "载体范围以市科委公布为准")
TECH_CONTRACT = Cited("003-23/第十一条", "技术合同（含合同登记编号）")
CITY_SHARE = Cited("003-23/第七条", "市财政对各区、县（市）年度需兑现总额给予不超过40%比例的补助")
PLATFORM_LIST = Cited("003-23/第八条/1", "确定立项平台")
PLATFORM_BY_CITY = Cited(
    "003-23/第八条/1", "市科委根据全市科技发展规划、建设重点和经费预算，提出平台年度计划和建设要求"
)
SAME_WORK_YEAR = Cited(
    "003-23/第十二条", "科技创新券的申领、发放、使用和申请兑现一般应在同一工作年度内完成，逾期自动作废。"
)
NOT_TRANSFERABLE = Cited("003-23/第十六条", "科技创新券实行实名制，不得转让、买卖，不重复使用")

# 003-32 小微企业创业创新活动券
ORGANISER_REVIEW = Cited("003-32/第五条", "评审通过后，纳入活动券资助范围")
ACTIVITY_APPLICANTS = Cited("003-32/第六条", "活动券的申领对象包括创业企业和创业者")
TWELVE_PER_ORGANISER = Cited(
    "003-32/第六条", "每个创业企业和创业者申领同一服务机构组织的活动的活动券每年不超过 12 张"
)
PER_ORGANISER_YEAR = 12  # the 12 张 of TWELVE_PER_ORGANISER (a count, so not a rule-file amount)
ACTIVITY_SIGN_IN = Cited("003-32/第七条", "流转至服务机构的单张活动券代表完成了一次“有效服务”")
ACTIVITY_ONE_EACH = Cited("003-32/第二条", "一人一券的原则，不得转让、买卖和质押")
ACTIVITY_YEARLY = Cited("003-32/第三条", "每年根据小微企业、创业企业和创业者实际使用情况兑付")


def work_year(scheme: str) -> Cited:
    """The sentence that confines a voucher to its work year. 003-23 says it (第十二条, 逾期自动作废);
    003-32 has no such sentence: its 活动券 are paid year by year out of the year's funds ("每年根据…实际
    使用情况兑付", 第三条) under yearly caps, which the scheme reads as the same confinement."""
    return ACTIVITY_YEARLY if scheme == "activity" else SAME_WORK_YEAR


ALL = (
    DISTRICT_ISSUES,
    SELF_APPLIED,
    OPEN_RATIO,
    UNRELATED_CARRIER,
    CARRIER_LIST,
    TECH_CONTRACT,
    CITY_SHARE,
    PLATFORM_LIST,
    PLATFORM_BY_CITY,
    SAME_WORK_YEAR,
    NOT_TRANSFERABLE,
    ORGANISER_REVIEW,
    ACTIVITY_APPLICANTS,
    TWELVE_PER_ORGANISER,
    ACTIVITY_SIGN_IN,
    ACTIVITY_ONE_EACH,
    ACTIVITY_YEARLY,
)
