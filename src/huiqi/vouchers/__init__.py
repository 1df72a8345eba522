"""The voucher schemes end to end (see docs/vouchers.md): 科技创新券 — 企业券 and 平台券 (003-23) — and the
小微企业创业创新活动券 (003-32).

A voucher is applied for (申领, ``quota``), issued (发放, ``issue``), used on a real contract with a
registered provider or at a registered organiser's activity (使用, ``contract``), and redeemed
(兑现, ``redeem``) in the same work year, or void (作废, ``expiry``). ``reports`` gives the city's
share of each district's redemptions. The tables are ``huiqi.store.models_vouchers``.
"""
