"""The rule language (规则): policy text as rules that cite their own clauses.

Public API (import from the modules; this package stays light so the vocabulary imports cheaply):

- ``huiqi.rules.facts`` — the facts vocabulary (FACTS, EVENTS, EntityKind …), docs/facts.md
- ``huiqi.rules.loader.load_rules() -> RuleBook`` — every ``policies/*/rules.yaml``, checked
- ``huiqi.rules.ast`` — the one typed AST both evaluators walk (semantics: docs/rules.md)
- ``huiqi.rules.check.run_checks(book)`` — static checks (``huiqi check``)
- ``huiqi.rules.schema.profile_schema()`` — the profile JSON Schema
"""
