"""Redemption (兑现): budgets, payment orders, the ledger, clawbacks and bans, the audit log, working days.

Runs, candidates, the 公示 notice, objections and decisions plug in on top of these (next step).
"""
