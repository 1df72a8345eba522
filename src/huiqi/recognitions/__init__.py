"""Recognitions (认定、备案) with their own lifecycle — granted, upgraded, evaluated each year, revoked,
expired — and the facts the rules read from them (docs/recognitions.md)."""
