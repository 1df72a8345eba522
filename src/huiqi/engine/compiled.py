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
    from huiqi.engine.evaluate import Unknown, _unknown

    if isinstance(e, FactRef):
        name = e.name
        if e.yearly:
            missing = _MissingByYear(name)

            def fact(env: Any) -> Any:
                v = env.yfacts.get(name)
                return v if v is not None else missing.get(env.year) or missing[env.year]

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
        if attr in _EVENT_FIELDS:

            def field(env: Any) -> Any:
                return env.event.get(attr) if env.event is not None else _no_attribute(None, attr)

            return field

        def attribute(env: Any) -> Any:
            evt = env.event
            v = evt.attrs.get(attr) if evt is not None else None  # ``Event.get`` without the call
            return v if v is not None else _no_attribute(evt, attr)

        return attribute
    if isinstance(e, Compare):
        left, op = compiled(e.left), COMPARISONS[e.op]
        if isinstance(e.right, ParamRef | Lit):  # the usual shape: a fact against a figure of the text
            const = 0 if isinstance(e.right, Lit) and e.right.vtype is VType.COUNT else _constant(e.right)
            fused = _compare_in_place(e.left, op, const)
            if fused is not None:
                return fused

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

        def join(unknowns: list[Any]) -> Any:
            key = tuple([u.missing for u in unknowns])
            u = joined.get(key)
            if u is None:
                u = _unknown(*unknowns)
                if len(joined) < _JOINED_KEPT:
                    joined[key] = u
            return u

        if len(args) == 2:  # the usual and/or, unrolled
            first, second = args

            def logic2(env: Any) -> Any:
                a = first(env)
                if a is decisive:
                    return a
                b = second(env)
                if b is decisive:
                    return b
                if type(a) is Unknown:
                    return join([a, b]) if type(b) is Unknown else a
                return b if type(b) is Unknown else not decisive

            return logic2

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
            return unknowns[0] if len(unknowns) == 1 else join(unknowns)

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
        # ever(type, filter) / exists: an event of the type dated up to the period's end (from its
        # start unless ``ever``) whose filter holds; undecided filters make it undetermined
        event_type, ever = e.event_type, e.ever
        where = compiled(e.where) if e.where is not None else None

        def exists(env: Any) -> Any:
            saved = env.event
            unknowns: list[Any] | None = None
            result: Any = False
            for evt in env.profile.events_by_type.get(event_type, ()):
                if evt.date > env.end or (not ever and evt.date < env.start):
                    continue
                env.event = evt
                v = True if where is None else where(env)
                if v is True:
                    result = True
                    break
                if type(v) is Unknown:
                    if unknowns is None:
                        unknowns = []
                    unknowns.append(v)
            env.event = saved
            return _unknown(*unknowns) if result is not True and unknowns else result

        return exists
    raise TypeError(f"not an expression node: {e!r}")


def _constant(e: ParamRef | Lit) -> Any:
    return e.param.value if isinstance(e, ParamRef) else e.value


_EVENT_FIELDS = ("date", "type")  # an event's own fields; every other name is one of its attributes


class _MissingByYear(dict):
    """year -> the ``Unknown`` naming one yearly fact, built on first use and then shared; read as
    ``m.get(year) or m[year]`` so that the usual case (built already) costs no Python call."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, year: int) -> Any:
        from huiqi.engine.evaluate import Unknown

        u = self[year] = Unknown(frozenset({f"years.{year}.{self.name}"}))
        return u


def _no_attribute(evt: Any, attr: str) -> Any:
    from huiqi.engine.evaluate import Unknown

    return Unknown(frozenset({f"events[{evt.index if evt is not None else '?'}].{attr}"}))


def _compare_in_place(left: Expr, op: Callable[[Any, Any], bool], const: Any) -> Fn | None:
    """``fact op figure`` and ``attribute op figure`` as one closure that reads the value in place:
    the commonest condition of the texts (金额超过…, 级别为国家) costs one call instead of two or
    three. None for any other left side."""
    from huiqi.engine.evaluate import Unknown

    if isinstance(left, FactRef) and left.yearly:
        name, missing = left.name, _MissingByYear(left.name)

        def yearly_vs_figure(env: Any) -> Any:
            v = env.yfacts.get(name)
            return op(v, const) if v is not None else missing.get(env.year) or missing[env.year]

        return yearly_vs_figure
    if isinstance(left, FactRef):
        name, absent = left.name, Unknown(frozenset({f"facts.{left.name}"}))

        def static_vs_figure(env: Any) -> Any:
            v = env.static.get(name)
            return op(v, const) if v is not None else absent

        return static_vs_figure
    if isinstance(left, AttrRef) and left.name not in _EVENT_FIELDS:
        attr = left.name

        def attribute_vs_figure(env: Any) -> Any:
            evt = env.event
            v = evt.attrs.get(attr) if evt is not None else None
            return op(v, const) if v is not None else _no_attribute(evt, attr)

        return attribute_vs_figure
    return None


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
        two_num, two_den = 2 * num, 2 * den
        # a yearly fact as the base (the usual 实际支出的20%) is read in place, without a call
        fact = a.base.name if isinstance(a.base, FactRef) and a.base.yearly else None
        missing = _MissingByYear(fact) if fact is not None else None

        def ratio(env: Any) -> Any:
            if fact is not None:
                base = env.yfacts.get(fact)
                if base is None:
                    return missing.get(env.year) or missing[env.year]  # type: ignore[union-attr]
            else:
                base = base_of(env)
            if type(base) is int:
                # base × num/den rounded half up (四舍五入, away from zero) in integers: the same
                # figure as round_fen(Decimal(base) * rate), several times cheaper
                if base >= 0:
                    return (base * two_num + den) // two_den
                return -((-base * two_num + den) // two_den)
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
