"""The tiny condition language of rule files: text → tokens → typed AST, by hand (never ``eval``).

Grammar (``docs/rules.md`` has the semantics)::

    expr  := or
    or    := and ("or" and)*
    and   := not ("and" not)*
    not   := "not" not | cmp
    cmp   := sum [ (">=" | ">" | "<=" | "<" | "==" | "!=") sum | ["not"] "in" sum ]
    sum   := prod (("+" | "-") prod)*
    prod  := atom ("*" atom)*
    atom  := STRING | "true" | "false" | "0" | "[" STRING ("," STRING)* "]" | "(" expr ")"
           | ("exists" | "ever") "(" EVENT_TYPE ["," expr] ")" | ("min" | "max") "(" expr ("," expr)+ ")"
           | NAME            (a parameter, a fact, ``event.<attr>`` or, inside exists(), an attribute)

Figures never appear as literals: a number is a named parameter with its unit and its text in the
quote (the one literal number is ``0``, which no text has to state).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from huiqi.rules import facts as vocab
from huiqi.rules.ast import (
    Arith,
    AttrRef,
    CmpOp,
    Compare,
    Exists,
    Expr,
    FactRef,
    In,
    Lit,
    Logic,
    MinMax,
    Not,
    Parameter,
    ParamRef,
    VType,
)


class ExprError(ValueError):
    """A syntax or type error at ``pos`` (a character offset in the expression)."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"[^"]*"|“[^”]*”)
    | (?P<op>>=|<=|==|!=|>|<|\+|-|\*|\(|\)|\[|\]|,)
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # str | op | num | name | end
    text: str
    pos: int


def tokenize(src: str) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(src):
        if src[i:].strip() == "":
            break
        m = _TOKEN.match(src, i)
        if not m or m.end() == i:
            j = i + (len(src[i:]) - len(src[i:].lstrip()))
            raise ExprError(j, f"unexpected character {src[j]!r}")
        kind = m.lastgroup or ""
        text = m.group(kind)
        out.append(Tok(kind, text, m.start(kind)))
        i = m.end()
    out.append(Tok("end", "", len(src)))
    return out


_FACT_VTYPE = {
    vocab.FactType.MONEY: VType.MONEY,
    vocab.FactType.INT: VType.COUNT,
    vocab.FactType.BOOL: VType.BOOL,
    vocab.FactType.CODE: VType.CODE,
    vocab.FactType.DECIMAL: VType.RATIO,
    vocab.FactType.TEXT: VType.TEXT,
    vocab.FactType.DATE: VType.DATE,
}


def vtype_of(ftype: vocab.FactType) -> VType:
    return _FACT_VTYPE[ftype]


@dataclass(slots=True)
class Scope:
    """What names mean where an expression is parsed."""

    params: dict[str, Parameter]
    event: vocab.EventSpec | None = None  # for_each event: ``event.<attr>``
    filter_event: vocab.EventSpec | None = None  # inside exists()/where: bare attribute names
    on_fact: Callable[[str], None] | None = None  # called for each fact read (for "which rules read it")


class Parser:
    def __init__(self, src: str, scope: Scope) -> None:
        self.src = src
        self.toks = tokenize(src)
        self.i = 0
        self.scope = scope

    # --- helpers -----------------------------------------------------------------------------------
    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, text: str) -> Tok:
        t = self.take()
        if t.text != text:
            raise ExprError(t.pos, f"expected {text!r}, found {t.text or 'end of expression'!r}")
        return t

    def at(self, *texts: str) -> bool:
        t = self.peek()
        return t.kind in ("op", "name") and t.text in texts

    # --- grammar -----------------------------------------------------------------------------------
    def parse(self) -> Expr:
        e = self.or_()
        t = self.peek()
        if t.kind != "end":
            raise ExprError(t.pos, f"unexpected {t.text!r} after a complete expression")
        return e

    def or_(self) -> Expr:
        pos = self.peek().pos
        args = [self.and_()]
        while self.at("or"):
            self.take()
            args.append(self.and_())
        return self._logic("or", args, pos)

    def and_(self) -> Expr:
        pos = self.peek().pos
        args = [self.not_()]
        while self.at("and"):
            self.take()
            args.append(self.not_())
        return self._logic("and", args, pos)

    def _logic(self, op: str, args: list[Expr], pos: int) -> Expr:
        if len(args) == 1:
            return args[0]
        for a in args:
            self._want(a, VType.BOOL, pos, f"operand of {op!r}")
        return Logic(op, tuple(args))

    def not_(self) -> Expr:
        if self.at("not"):
            t = self.take()
            arg = self.not_()
            self._want(arg, VType.BOOL, t.pos, "operand of 'not'")
            return Not(arg)
        return self.cmp()

    def cmp(self) -> Expr:
        left = self.sum_()
        t = self.peek()
        if t.kind == "op" and t.text in (">=", ">", "<=", "<", "==", "!="):
            self.take()
            right = self.sum_()
            self._check_compare(t, left, right)
            return Compare(CmpOp(t.text), left, right)
        negate = False
        if self.at("not") and self.toks[self.i + 1].text == "in":
            self.take()
            negate = True
        if self.at("in"):
            t = self.take()
            right = self.sum_()
            self._check_in(t, left, right)
            node: Expr = In(left, right)
            return Not(node) if negate else node
        return left

    def sum_(self) -> Expr:
        left = self.prod()
        while self.at("+", "-"):
            t = self.take()
            right = self.prod()
            lt, rt = type_of(left), type_of(right)
            if lt != rt or lt not in (VType.MONEY, VType.COUNT, VType.RATIO):
                raise ExprError(t.pos, f"cannot {t.text} {lt} and {rt}: both sides need the same unit")
            left = Arith(t.text, left, right, lt)
        return left

    def prod(self) -> Expr:
        left = self.atom()
        while self.at("*"):
            t = self.take()
            right = self.atom()
            lt, rt = type_of(left), type_of(right)
            if {lt, rt} == {VType.MONEY, VType.RATIO}:
                vt = VType.MONEY
            elif lt == rt == VType.RATIO:
                vt = VType.RATIO
            elif {lt, rt} == {VType.COUNT, VType.MONEY}:
                vt = VType.MONEY
            else:
                raise ExprError(t.pos, f"cannot multiply {lt} by {rt}")
            left = Arith("*", left, right, vt)
        return left

    def atom(self) -> Expr:
        t = self.take()
        if t.kind == "str":
            return Lit(t.text[1:-1], VType.CODE)
        if t.kind == "num":
            if t.text != "0":
                raise ExprError(
                    t.pos,
                    f"the figure {t.text} must be a named parameter (value, unit, clause, quoted text)",
                )
            return Lit("0", VType.COUNT)  # polymorphic zero: compared as a number of any unit
        if t.text == "(":
            e = self.or_()
            self.expect(")")
            return e
        if t.text == "[":
            items: list[str] = []
            while True:
                s = self.take()
                if s.kind != "str":
                    raise ExprError(s.pos, "a list holds quoted codes only")
                items.append(s.text[1:-1])
                if self.at(","):
                    self.take()
                    continue
                self.expect("]")
                break
            return Lit(tuple(items), VType.LIST)
        if t.kind == "name":
            if t.text in ("true", "false"):
                return Lit(t.text == "true", VType.BOOL)
            if t.text in ("exists", "ever") and self.at("("):
                return self.exists(t)
            if t.text in ("min", "max") and self.at("("):
                return self.minmax(t)
            return self.name(t)
        raise ExprError(t.pos, f"unexpected {t.text or 'end of expression'!r}")

    def exists(self, t: Tok) -> Expr:
        self.expect("(")
        et = self.take()
        spec = vocab.EVENTS_BY_TYPE.get(et.text)
        if spec is None:
            raise ExprError(et.pos, str(_unknown(vocab.event, et.text)))
        where = None
        if self.at(","):
            self.take()
            saved = self.scope.filter_event
            self.scope.filter_event = spec
            where = self.or_()
            self.scope.filter_event = saved
            self._want(where, VType.BOOL, et.pos, "filter of exists()")
        self.expect(")")
        return Exists(spec.type, where, ever=t.text == "ever")

    def minmax(self, t: Tok) -> Expr:
        self.expect("(")
        args = [self.or_()]
        while self.at(","):
            self.take()
            args.append(self.or_())
        self.expect(")")
        types = {type_of(a) for a in args}
        if len(args) < 2 or len(types) != 1 or types & {VType.BOOL, VType.CODE, VType.TEXT, VType.LIST}:
            raise ExprError(t.pos, f"{t.text}() takes two or more numbers of the same unit")
        return MinMax(t.text, tuple(args), types.pop())

    def name(self, t: Tok) -> Expr:
        name = t.text
        if name.startswith("event."):
            spec = self.scope.event
            if spec is None:
                raise ExprError(t.pos, f"{name}: 'event.' is only available in an item with for_each")
            return self._attr(spec, name[len("event.") :], t)
        if self.scope.filter_event is not None and self.scope.filter_event.attr(name) is not None:
            return self._attr(self.scope.filter_event, name, t)
        if name in self.scope.params:
            return ParamRef(self.scope.params[name])
        spec = vocab.FACTS_BY_NAME.get(name)
        if spec is None:
            raise ExprError(t.pos, f"{_unknown(vocab.fact, name)} (not a parameter of this file either)")
        if self.scope.on_fact:
            self.scope.on_fact(name)
        return FactRef(name, vtype_of(spec.type), spec.period is vocab.Period.YEAR)

    def _attr(self, spec: vocab.EventSpec, attr: str, t: Tok) -> Expr:
        if attr in ("type", "date"):
            return AttrRef(attr, VType.DATE if attr == "date" else VType.CODE)
        a = spec.attr(attr)
        if a is None:
            known = ", ".join(x.name for x in spec.attrs)
            raise ExprError(t.pos, f"event {spec.type} has no attribute {attr!r} (it has: {known})")
        return AttrRef(attr, vtype_of(a.type))

    # --- type checks -------------------------------------------------------------------------------
    def _want(self, e: Expr, vt: VType, pos: int, what: str) -> None:
        if type_of(e) is not vt:
            raise ExprError(pos, f"{what} must be {vt}, found {type_of(e)}")

    def _check_compare(self, t: Tok, left: Expr, right: Expr) -> None:
        lt, rt = type_of(left), type_of(right)
        zero = [isinstance(x, Lit) and x.value == "0" for x in (left, right)]
        if any(zero) and {lt, rt} - {VType.COUNT} <= {VType.MONEY, VType.RATIO, VType.COUNT}:
            return
        if lt in (VType.CODE, VType.TEXT) and rt in (VType.CODE, VType.TEXT):
            if t.text not in ("==", "!="):
                raise ExprError(t.pos, "codes compare with == or != only")
            self._check_code_value(left, right, t)
            self._check_code_value(right, left, t)
            return
        if lt != rt:
            raise ExprError(t.pos, f"cannot compare {lt} with {rt}: the units differ")
        if lt is VType.BOOL and t.text not in ("==", "!="):
            raise ExprError(t.pos, "booleans compare with == or != only")

    def _check_in(self, t: Tok, left: Expr, right: Expr) -> None:
        if type_of(right) is not VType.LIST:
            raise ExprError(t.pos, "'in' needs a list on its right")
        if type_of(left) not in (VType.CODE, VType.TEXT):
            raise ExprError(t.pos, "'in' tests a code")
        values = right.value if isinstance(right, Lit) else right.param.value  # type: ignore[union-attr]
        for v in values:  # type: ignore[union-attr]
            self._check_code_value(left, Lit(v, VType.CODE), t)

    def _check_code_value(self, ref: Expr, lit: Expr, t: Tok) -> None:
        if not isinstance(lit, Lit):
            return
        allowed = self._allowed(ref)
        if allowed and lit.value not in allowed:
            raise ExprError(
                t.pos, f"{lit.value!r} is not an allowed value here; expected one of {', '.join(allowed)}"
            )

    def _allowed(self, ref: Expr) -> tuple[str, ...]:
        if isinstance(ref, FactRef):
            return vocab.FACTS_BY_NAME[ref.name].allowed
        if isinstance(ref, AttrRef):
            for spec in (self.scope.filter_event, self.scope.event):
                if spec is not None and (a := spec.attr(ref.name)) is not None:
                    return a.allowed
        return ()


def _unknown(lookup: Callable[[str], object], name: str) -> str:
    try:
        lookup(name)
    except KeyError as exc:
        return str(exc.args[0])
    return name


def type_of(e: Expr) -> VType:
    """The value type of an expression (checked by the parser, so this never fails on parsed trees)."""
    if isinstance(e, Lit | FactRef | AttrRef | Arith | MinMax):
        return e.vtype
    if isinstance(e, ParamRef):
        return e.param.vtype
    return VType.BOOL  # Compare, Logic, Not, In, Exists


def parse_expr(src: str, scope: Scope) -> Expr:
    """Parse and type-check one expression; raises ``ExprError`` with the position."""
    if not isinstance(src, str):
        src = "true" if src is True else "false" if src is False else str(src)
    return Parser(src, scope).parse()
