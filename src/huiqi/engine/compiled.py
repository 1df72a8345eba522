"""The bulk path's expressions: each AST expression compiled once into a Python closure.

Same semantics as ``huiqi.engine.evaluate.ev`` (docs/rules.md §3), without the per-node type
dispatch and without any trace. A property test (tests/engine/test_evaluate.py) checks that the
explained and the bulk paths agree on random profiles.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from huiqi.rules.ast import (
    Arith,
    AttrRef,
    Compare,
    Exists,
    Expr,
    FactRef,
    In,
    Lit,
    Logic,
    MinMax,
    Not,
    ParamRef,
    VType,
)

Fn = Callable[[Any], Any]  # env -> value | Unknown

_CMP = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}

_CACHE: dict[int, tuple[Expr, Fn]] = {}


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

            def fact(env: Any) -> Any:
                v = env.yfacts.get(name)
                return v if v is not None else Unknown(frozenset({f"years.{env.year}.{name}"}))

            return fact

        def static(env: Any) -> Any:
            v = env.static.get(name)
            return v if v is not None else Unknown(frozenset({f"facts.{name}"}))

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
        left, right, op = compiled(e.left), compiled(e.right), _CMP[e.op]

        def compare(env: Any) -> Any:
            a, b = left(env), right(env)
            if type(a) is Unknown or type(b) is Unknown:
                return _unknown(a, b)
            return op(a, b)

        return compare
    if isinstance(e, Logic):
        args = tuple(compiled(a) for a in e.args)
        decisive = e.op != "and"  # False decides an and, True an or

        def logic(env: Any) -> Any:
            unknowns = None
            for f in args:
                v = f(env)
                if v is decisive:
                    return v
                if type(v) is Unknown:
                    unknowns = [v] if unknowns is None else [*unknowns, v]
            return _unknown(*unknowns) if unknowns else not decisive

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
        left, right, op = compiled(e.left), compiled(e.right), _ARITH[e.op]

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
