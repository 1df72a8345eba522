"""The bulk path's expressions and amounts: each AST node compiled once into a Python closure.

Same semantics as ``huiqi.engine.evaluate.ev`` (docs/rules.md §3) and ``amount_of`` (§4), without
the per-node type dispatch and without any trace. An undetermined value (``Unknown``) is immutable,
so the closures share them: a missing fact yields the same object on every call instead of a new
frozenset. Property tests (tests/engine/test_bulk.py) check that the explained and the bulk paths
agree on random profiles and on every case file's profile.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from huiqi.money import round_fen
from huiqi.rules.ast import (
    Amount,
    Arith,
    AttrRef,
    Cap,
    Compare,
    Exists,
    Expr,
    FactRef,
    Fixed,
    Grid,
    In,
    Lit,
    Logic,
    MinMax,
    Multiply,
    Not,
    ParamRef,
    PerUnit,
    Ratio,
    Scale,
    VType,
)

Fn = Callable[[Any], Any]  # env -> value | Unknown

# The Python meaning of the AST's operators, for both scalar paths (explained and compiled); the
# vectorized engine writes the same operators as SQL.
COMPARISONS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}

_CACHE: dict[int, tuple[Expr, Fn]] = {}
_JOINED_KEPT = 256  # shared Unknowns kept per and/or (distinct combinations of missing facts)


def compiled(e: Expr) -> Fn:
    """The closure for ``e`` (memoised; the AST is immutable)."""
    hit = _CACHE.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    fn = _compile(e)
    _CACHE[id(e)] = (e, fn)  # keeping ``e`` alive makes the id a safe key
    return fn


def _compile(e: Expr) -> Fn:
    from huiqi.engine.evaluate import Unknown, _exists, _unknown

    if isinstance(e, FactRef):
        name = e.name
        if e.yearly:
            missing_in: dict[int, Any] = {}  # year -> the shared Unknown naming this yearly fact

            def fact(env: Any) -> Any:
                v = env.yfacts.get(name)
                if v is not None:
                    return v
                u = missing_in.get(env.year)
                if u is None:
                    u = missing_in[env.year] = Unknown(frozenset({f"years.{env.year}.{name}"}))
                return u

            return fact
        absent = Unknown(frozenset({f"facts.{name}"}))

        def static(env: Any) -> Any:
            v = env.static.get(name)
            return v if v is not None else absent

        return static
    if isinstance(e, ParamRef):
        value = e.param.value
        return lambda env: value
    if isinstance(e, Lit):
        lit = 0 if e.vtype is VType.COUNT else e.value
        return lambda env: lit
    if isinstance(e, AttrRef):
        attr = e.name

        def attribute(env: Any) -> Any:
            v = env.event.get(attr) if env.event is not None else None
            if v is None:
                i = env.event.index if env.event is not None else "?"
                return Unknown(frozenset({f"events[{i}].{attr}"}))
            return v

        return attribute
    if isinstance(e, Compare):
        left, op = compiled(e.left), COMPARISONS[e.op]
        if isinstance(e.right, ParamRef | Lit):  # the usual shape: a fact against a figure of the text
            const = 0 if isinstance(e.right, Lit) and e.right.vtype is VType.COUNT else _constant(e.right)

            def compare_const(env: Any) -> Any:
                a = left(env)
                return a if type(a) is Unknown else op(a, const)

            return compare_const
        right = compiled(e.right)

        def compare(env: Any) -> Any:
            a, b = left(env), right(env)
            if type(a) is Unknown or type(b) is Unknown:
                return _unknown(a, b)
            return op(a, b)

        return compare
    if isinstance(e, Logic):
        args = tuple(compiled(a) for a in e.args)
        decisive = e.op != "and"  # False decides an and, True an or
        # the missing facts of an undecided and/or, by the missing facts of its undecided arguments:
        # those are mostly the same few shared sets (absent facts), so the union is built once
        joined: dict[tuple[frozenset[str], ...], Any] = {}

        def logic(env: Any) -> Any:
            unknowns = None
            for f in args:
                v = f(env)
                if v is decisive:
                    return v
                if type(v) is Unknown:
                    if unknowns is None:
                        unknowns = [v]
                    else:
                        unknowns.append(v)
            if unknowns is None:
                return not decisive
            if len(unknowns) == 1:
                return unknowns[0]
            key = tuple([u.missing for u in unknowns])
            u = joined.get(key)
            if u is None:
                u = _unknown(*unknowns)
                if len(joined) < _JOINED_KEPT:
                    joined[key] = u
            return u

        return logic
    if isinstance(e, Not):
        arg = compiled(e.arg)

        def negate(env: Any) -> Any:
            v = arg(env)
            return v if type(v) is Unknown else not v

        return negate
    if isinstance(e, In):
        item, options = compiled(e.item), compiled(e.options)

        def member(env: Any) -> Any:
            v = item(env)
            return v if type(v) is Unknown else v in options(env)

        return member
    if isinstance(e, Arith):
        left, right, op = compiled(e.left), compiled(e.right), ARITHMETIC[e.op]

        def arith(env: Any) -> Any:
            a, b = left(env), right(env)
            if type(a) is Unknown or type(b) is Unknown:
                return _unknown(a, b)
            return op(Decimal(a), Decimal(b))

        return arith
    if isinstance(e, MinMax):
        args = tuple(compiled(a) for a in e.args)
        pick = min if e.fn == "min" else max

        def minmax(env: Any) -> Any:
            vals = [f(env) for f in args]
            if any(type(v) is Unknown for v in vals):
                return _unknown(*vals)
            return pick(vals)

        return minmax
    if isinstance(e, Exists):
        node = e
        return lambda env: _exists(node, env)  # rare and event-bound: the tree walker serves
    raise TypeError(f"not an expression node: {e!r}")


def _constant(e: ParamRef | Lit) -> Any:
    return e.param.value if isinstance(e, ParamRef) else e.value


_AMOUNTS: dict[int, tuple[Amount, Fn]] = {}


def compiled_amount(a: Amount) -> Fn:
    """The closure for an amount mechanism: ``env -> int fen`` (a Decimal factor inside
    ``Multiply.factor``), ``Unknown`` or ``NoCase`` — ``amount_of`` without the trace (memoised)."""
    hit = _AMOUNTS.get(id(a))
    if hit is not None and hit[0] is a:
        return hit[1]
    fn = _compile_amount(a)
    _AMOUNTS[id(a)] = (a, fn)
    return fn


def _compile_amount(a: Amount) -> Fn:
    from huiqi.engine.evaluate import NoCase, Unknown

    # the bulk path never shows why a mechanism has no tier, so one shared NoCase serves
    no_case = NoCase("本条未规定该情形的金额")
    if isinstance(a, Fixed):
        value = a.param.value
        return lambda env: value
    if isinstance(a, Grid):
        on = compiled(a.on)
        cases = tuple((case, compiled_amount(sub)) for case, sub in a.cases)

        def grid(env: Any) -> Any:
            key = on(env)
            if type(key) is Unknown:
                return key
            for case, sub in cases:
                if case == key:
                    return sub(env)
            return no_case

        return grid
    if isinstance(a, Scale):
        on = compiled(a.on)
        brackets = tuple(
            (
                None if b.low is None else b.low.value,
                b.low_inclusive,
                None if b.high is None else b.high.value,
                b.high_inclusive,
                compiled_amount(b.then),
            )
            for b in a.brackets
        )

        def scale(env: Any) -> Any:
            x = on(env)
            if type(x) is Unknown:
                return x
            for low, low_inc, high, high_inc, then in brackets:
                if low is not None and not (x >= low if low_inc else x > low):
                    continue
                if high is not None and not (x <= high if high_inc else x < high):
                    continue
                return then(env)
            return no_case

        return scale
    if isinstance(a, Ratio):
        base_of, rate = compiled(a.base), a.rate.value
        num, den = Decimal(rate).as_integer_ratio()

        def ratio(env: Any) -> Any:
            base = base_of(env)
            if type(base) is int:
                # base × num/den rounded half up (四舍五入, away from zero) in integers: the same
                # figure as round_fen(Decimal(base) * rate), several times cheaper
                q = (2 * abs(base) * num + den) // (2 * den)
                return q if base >= 0 else -q
            return base if type(base) is Unknown else round_fen(Decimal(base) * rate)

        return ratio
    if isinstance(a, PerUnit):
        base_of, step, each = compiled(a.base), Decimal(a.step.value), a.each.value

        def per_unit(env: Any) -> Any:
            base = base_of(env)
            if type(base) is Unknown:
                return base
            return (int(Decimal(base) // step) if base > 0 else 0) * each

        return per_unit
    if isinstance(a, Multiply):
        amount, factor_of = compiled_amount(a.amount), compiled_amount(a.factor)

        def multiply(env: Any) -> Any:
            base = amount(env)
            if type(base) is Unknown or type(base) is NoCase:
                return base
            factor = factor_of(env)
            if type(factor) is Unknown or type(factor) is NoCase:
                return factor
            return round_fen(Decimal(base) * factor)

        return multiply
    if isinstance(a, Cap):
        amount, at = compiled_amount(a.amount), a.at.value

        def capped(env: Any) -> Any:
            v = amount(env)
            if type(v) is Unknown or type(v) is NoCase:
                return v
            return at if v > at else v

        return capped
    raise TypeError(f"not an amount node: {a!r}")
