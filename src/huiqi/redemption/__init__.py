"""Redemption (兑现): runs over the registry (免申即享), the 公示 notice and objections, maker-checker
decisions, budgets, payment orders and the ledger, clawbacks and bans, the audit log, working days.
"""
