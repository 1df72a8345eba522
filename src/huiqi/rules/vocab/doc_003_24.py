"""Facts of 003-24, 杭州市科技型中小企业融资周转资金管理办法 (杭科计〔2018〕192号): the bridge-loan fund
(周转资金) run by its entrusted manager (受托管理机构, 杭州市创投服务中心)."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, money_fact

FACTS = (
    money_fact(
        "bridge_fund_turnover_fen",
        "周转资金年周转业务总额",
        ORGS,
        doc="003-24/第八条: the base of the entrusted manager's fee (paid out of the fund's interest)",
    ),
)
