"""Reforms of rule parameters (规则参数调整测算): "what if 002/五's voucher cap were 80万元?"

A change names a parameter the way rule files do — the item (or the whole document) and the
parameter's name — and gives the new figure in a unit of the same kind. The reformed book is a copy
of the rule AST with those ``Parameter`` nodes replaced (the AST is the one source: no rule text is
patched), so the vectorized compiler and the scalar evaluator both read the reform unchanged.
``run_both`` runs the document's book and the reformed one over the same population views.

Addressing:

- ``item: 002/五/创新券, parameter: voucher_year_cap`` — the figure as that item uses it; other
  items that share the parameter keep the document's figure;
- ``document: "002", parameter: little_giant`` — every use of the document's parameter: items,
  shared caps, provisions (and the documents that adopt them).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from huiqi.engine.vectorized import compile_year, execute
from huiqi.money import UNIT_YUAN, to_fen
from huiqi.rules.ast import Parameter, RuleSet, VType
from huiqi.rules.loader import COUNT_UNITS, RATIO_UNITS, USD_UNITS, RuleBook

# The result tables ``run_both`` leaves on the connection: one row per (entity, item) that is not
# not_eligible, as the compiler's sparse result gives it (entity_id, item_id, status, amount_fen).
BEFORE, AFTER = "rf_before", "rf_after"
_KEYS = {"item", "document", "parameter", "value", "unit"}
_RATIO_DIVISOR = {"%": Decimal(100), "‰": Decimal(1000), "比例": Decimal(1)}


class ReformError(ValueError):
    """A reform file that cannot be applied; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class ParameterChange:
    """One changed figure: where the reform file says it (line), what it addresses, before and after."""

    line: int
    document: str
    item: str | None  # None: every use of the document's parameter
    before: Parameter
    after: Parameter

    @property
    def address(self) -> str:
        return f"{self.item or self.document}.{self.before.name}"


def parameters_used(node: object) -> dict[str, Parameter]:
    """Every parameter an AST node reads (an item, a shared cap …), by name."""
    found: dict[str, Parameter] = {}

    def visit(n: object) -> None:
        if isinstance(n, Parameter):
            found.setdefault(n.name, n)
        elif isinstance(n, tuple | list):
            for x in n:
                visit(x)
        elif dataclasses.is_dataclass(n) and not isinstance(n, type):
            for f in dataclasses.fields(n):
                visit(getattr(n, f.name))

    visit(node)
    return found


def _replaced(node, swap: dict[Parameter, Parameter]):
    """``node`` with every parameter in ``swap`` replaced; untouched subtrees are shared, not copied."""
    if isinstance(node, Parameter):
        return swap.get(node, node)
    if isinstance(node, tuple):
        new = tuple(_replaced(x, swap) for x in node)
        return node if all(a is b for a, b in zip(new, node, strict=True)) else new
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            old = getattr(node, f.name)
            new = _replaced(old, swap)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(node, **changes) if changes else node
    return node


def _near(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _number(raw: object, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ReformError(f"{where}: value {raw!r} is not a number")
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise ReformError(f"{where}: value {raw!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ReformError(f"{where}: value {raw} must be a non-negative number")
    return number


def _new_value(p: Parameter, raw: object, unit: object, where: str) -> int | Decimal:
    """The figure in the parameter's own representation (fen, a ratio, a count), from a value in a
    unit of the same kind: any of 元/万元/亿元 for money, %/‰/比例 for a ratio, the very unit for a count."""
    if not isinstance(unit, str) or not unit:
        raise ReformError(f"{where}: unit is missing ({p.name} is written in {p.unit} in the rule file)")
    number = _number(raw, where)
    if p.vtype is VType.MONEY:
        if unit not in UNIT_YUAN:
            raise ReformError(
                f"{where}: {p.name} is an amount of money ({p.unit} in the rule file); "
                f"unit {unit!r} is not one of {', '.join(UNIT_YUAN)}"
            )
        try:
            return to_fen(number, unit)
        except ValueError as exc:
            raise ReformError(f"{where}: {exc}") from None
    if p.vtype is VType.RATIO:
        if unit not in RATIO_UNITS:
            raise ReformError(
                f"{where}: {p.name} is a ratio ({p.unit} in the rule file); "
                f"unit {unit!r} is not one of {', '.join(RATIO_UNITS)}"
            )
        return number / _RATIO_DIVISOR[unit]
    if p.vtype is VType.COUNT:
        if p.unit in USD_UNITS:  # thresholds in US dollars are whole dollars (loader.USD_UNITS)
            if unit not in USD_UNITS:
                raise ReformError(f"{where}: {p.name} is in {p.unit}; unit {unit!r} is not 美元 or 万美元")
            dollars = number * USD_UNITS[unit]
            if dollars != dollars.to_integral_value():
                raise ReformError(f"{where}: {raw} {unit} is not a whole number of US dollars")
            return int(dollars)
        if unit != p.unit:
            raise ReformError(f"{where}: {p.name} counts {p.unit} in the rule file, not {unit!r}")
        if unit not in COUNT_UNITS or number != number.to_integral_value():
            raise ReformError(f"{where}: a count in {unit} must be a whole number, got {raw}")
        return int(number)
    raise ReformError(f"{where}: {p.name} is a {p.vtype.value} parameter; a reform changes numbers only")


def parameter_change(book: RuleBook, entry: object, line: int, where: str) -> ParameterChange:
    """One entry of a reform file's ``parameters:`` list, checked against the rule book.

    ``where`` names the file and line for messages ("reform.yaml, line 7")."""
    if not isinstance(entry, dict):
        raise ReformError(f"{where}: each change is a mapping (item or document, parameter, value, unit)")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ReformError(
            f"{where}: unknown key(s) {', '.join(unknown)}; a change takes {', '.join(sorted(_KEYS))}"
        )
    if ("item" in entry) == ("document" in entry):
        raise ReformError(
            f"{where}: name either an item (item: 002/五/创新券) or a whole document (document: '002')"
        )
    name = entry.get("parameter")
    if not isinstance(name, str) or not name:
        raise ReformError(f"{where}: parameter is missing (a name from the rule file, e.g. voucher_rate)")
    if "value" not in entry:
        raise ReformError(f"{where}: value is missing")
    item_id: str | None = None
    if "item" in entry:
        item_id = str(entry["item"])
        owner = next((rs for rs in book.rulesets.values() for it in rs.items if it.id == item_id), None)
        if owner is None:
            known = [it.id for it in book.items()]
            raise ReformError(f"{where}: no item {item_id!r} in the rule files{_near(item_id, known)}")
        item = next(it for it in owner.items if it.id == item_id)
        used = parameters_used(item)
        if name not in used:
            sharing = [sc.id for sc in owner.shared_caps if sc.param.name == name and item_id in sc.items]
            hint = (
                f"; {name} is the cap shared by {', '.join(sharing)}: "
                f"address it with document: {owner.doc_id!r}"
                if sharing
                else f"; it uses: {', '.join(sorted(used)) or 'none'}"
            )
            raise ReformError(f"{where}: item {item_id} uses no parameter {name!r}{hint}")
        before, document = used[name], owner.doc_id
    else:
        document = str(entry["document"])
        if document not in book.rulesets:
            hint = _near(document, list(book.rulesets))
            raise ReformError(f"{where}: no rule file for document {document!r}{hint}")
        params = book.rulesets[document].parameters
        if name not in params:
            hint = _near(name, list(params))
            raise ReformError(f"{where}: document {document} has no parameter {name!r}{hint}")
        before = params[name]
    value = _new_value(before, entry["value"], entry.get("unit"), where)
    text = f"{entry['value']}{entry['unit']}（测算；原文{before.text}）"
    after = dataclasses.replace(before, value=value, text=text)
    return ParameterChange(line, document, item_id, before, after)


def check_overlaps(changes: list[ParameterChange], file: str) -> None:
    """Two changes of one figure (the same address, or an item's figure and the document's) would
    leave the result to their order: refused, naming both lines."""
    for n, c in enumerate(changes):
        for other in changes[:n]:
            same_figure = other.document == c.document and other.before.name == c.before.name
            if same_figure and (other.item == c.item or other.item is None or c.item is None):
                raise ReformError(
                    f"{file}, line {c.line}: {c.address} is already changed on line {other.line} "
                    f"({other.address}); change each figure once"
                )


def changed_items(book: RuleBook, changes: list[ParameterChange]) -> list[str]:
    """The items whose figures a reform changes, in the book's order."""
    out = []
    for rs in book.rulesets.values():
        for it in rs.items:
            used = set(parameters_used(it).values())
            if any(c.item == it.id or (c.item is None and c.before in used) for c in changes):
                out.append(it.id)
    return out


def reformed_book(book: RuleBook, changes: list[ParameterChange]) -> RuleBook:
    """A copy of ``book`` with the changed parameters; ``book`` itself is left as it is."""
    whole = {c.before: c.after for c in changes if c.item is None}
    per_item: dict[str, dict[Parameter, Parameter]] = {}
    for c in changes:
        if c.item is not None:
            per_item.setdefault(c.item, {})[c.before] = c.after
    provisions = {pid: _replaced(p, whole) for pid, p in book.provisions.items()}

    def copy(rs: RuleSet) -> RuleSet:
        items = [_replaced(_replaced(it, whole), per_item.get(it.id, {})) for it in rs.items]
        return dataclasses.replace(
            rs,
            parameters={n: whole.get(p, p) for n, p in rs.parameters.items()},
            items=items,
            provisions=[provisions.get(p.id, _replaced(p, whole)) for p in rs.provisions],
            shared_caps=[_replaced(sc, whole) for sc in rs.shared_caps],
            budgets=list(rs.budgets),
            not_encoded=list(rs.not_encoded),
            cache={},  # the evaluators' per-year memo belongs to the document's figures
        )

    return dataclasses.replace(
        book, rulesets={d: copy(rs) for d, rs in book.rulesets.items()}, provisions=provisions
    )


def run_both(
    con,
    book: RuleBook,
    reformed: RuleBook,
    year: int,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Compile and run the document's book and the reformed one for ``year`` over the input views of
    ``con``; leaves their rows in the temporary tables ``rf_before`` and ``rf_after``.

    ``progress(done, total, label)`` counts the steps of both plans together."""
    plans = [(BEFORE, compile_year(book, year)), (AFTER, compile_year(reformed, year))]
    total = sum(len(p.steps) + 1 for _, p in plans)
    done = 0
    for table, plan in plans:
        side = "document" if table == BEFORE else "reform"

        def step(n: int, _total: int, label: str, offset: int = done, side: str = side) -> None:
            if progress is not None:
                progress(offset + n, total, f"{side}: {label}")

        execute(con, plan, step)
        con.execute(
            # BIGINT: the plan's sums are HUGEINT, which Parquet would store as a float
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT entity_id, item_id, status, "
            f"CAST(amount_fen AS BIGINT) AS amount_fen FROM ({plan.result})"
        )
        done += len(plan.steps) + 1
        if progress is not None:
            progress(done, total, f"{side}: results")
    for temp in ("hq_occ", "hq_base"):  # the compiler's intermediate tables are not needed any more
        con.execute(f"DROP TABLE IF EXISTS {temp}")
