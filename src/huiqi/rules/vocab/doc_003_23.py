"""Facts of 003-23, 杭州市科技创新券实施管理办法 (杭科合〔2018〕8号): 企业券 (vouchers for enterprises
and makers, 创客) and 平台券 (vouchers for the city's science and technology service platforms)."""

from __future__ import annotations

from huiqi.rules.factspec import EntityKind, FactSpec, FactType, Period, money_fact

_CARRIER = (EntityKind.CARRIER,)

FACTS = (
    money_fact(
        "voucher_service_purchase_fen",
        "向非关联创新载体购买科技服务并签订技术合同的金额（企业券）",
        (EntityKind.ENTERPRISE, EntityKind.TALENT),
        doc=(
            "003-23/第六条: an enterprise's, or a maker's (创客, "
            "入驻市级众创空间) year of voucher-eligible services"
        ),
    ),
    FactSpec(
        "voucher_platform_kind",
        "杭州市科技创新服务平台类别",
        FactType.CODE,
        Period.STATIC,
        _CARRIER,
        allowed=("公共科技基础平台", "专业科技创新服务平台", "事业单位牵头专业科技创新服务平台"),
        doc="003-23/第八条、第九条: 事业单位牵头 = 由市财政补助事业单位为牵头单位的专业科技创新服务平台",
    ),
    FactSpec(
        "voucher_platform_stage",
        "平台所处阶段",
        FactType.CODE,
        Period.YEAR,
        _CARRIER,
        allowed=("建设期", "已建"),
        doc="003-23/第九条: 建设期内 (新建平台, 建设期一般为3年) or 建设期满并通过验收 (已建平台)",
    ),
    money_fact(
        "platform_equipment_self_funding_fen",
        "平台建设期内用于设备的平台自筹投入",
        _CARRIER,
        doc="003-23/第九条/1",
    ),
    money_fact(
        "voucher_platform_contract_fen",
        "平台与我市企业签订的技术合同金额",
        _CARRIER,
        doc="003-23/第九条/2",
    ),
)
