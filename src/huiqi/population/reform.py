"""Reforms (政策调整测算): "what if the cap were 300万元?" — changed figures run against the documents'
own over the same population, compared per item, per entity and per entity group.

One reform file (YAML) holds two sections, each optional:

.. code-block:: yaml

    rd_subsidy:                 # 研发费用投入财政补助 (003), its population stages; amounts in 万元
      ratio_percent: 25         # 第八条's 20 %
      classes:
        sme_above: {cap_wan: 300, top_n: 300, min_growth_wan: 200}
        sme_below: {cap_wan: 80}
    parameters:                 # any parameter of any rule item, named as the rule files name it
      - {item: 002/五/创新券, parameter: voucher_year_cap, value: 80, unit: 万元}
      - {document: "002", parameter: little_giant, value: 150, unit: 万元}

``top_n: null`` removes the ranking of a class. A section that is absent is not run: a reform of rule
parameters leaves the R&D scheme as it is, and the other way round. Every message about the file
names its line.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import yaml

from huiqi import duck
from huiqi.engine.vectorized import attach_population, live_items
from huiqi.money import format_fen, round_fen, to_fen
from huiqi.population import rd_subsidy as rd
from huiqi.population import rd_subsidy_stages
from huiqi.population.rule_reform import (
    AFTER,
    BEFORE,
    ParameterChange,
    ReformError,
    changed_items,
    check_overlaps,
    parameter_change,
    reformed_book,
    run_both,
)
from huiqi.population.simulate import RD_ITEM, open_population
from huiqi.population.stages import fetch_arrow
from huiqi.rules.ast import VType
from huiqi.rules.loader import RuleBook

_CLASS_KEYS = {"cap_wan": "cap_fen", "min_growth_wan": "min_growth_fen", "top_n": "top_n"}
_SECTIONS = ("rd_subsidy", "parameters")
# 国家高新技术企业 status for the groups: a recognition holds three years from its date
# (《高新技术企业认定管理办法》第九条: 资格自颁发证书之日起有效期为三年), so one dated in the year or
# the two before holds at the year's end. A reporting group only; no rule reads it.
HIGH_TECH_YEARS = 3


# ---------------------------------------------------------------------------------------------------
# The file


class _Mapping(dict):
    """A YAML mapping that remembers the line it starts on (for messages)."""

    line = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode):
    data = _Mapping()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _line(d: object) -> int:
    return getattr(d, "line", 0)


def _at(file: str, node: object, fallback: str) -> str:
    """Where a node of the file is, for messages: its line, or ``fallback`` for a bare value."""
    line = _line(node)
    return f"{file}, line {line}" if line else f"{file}, {fallback}"


@dataclass(frozen=True, slots=True)
class Reform:
    """A reform file, checked: the R&D scheme's figures (None: section absent) and the rule parameter
    changes with the book they apply to."""

    file: Path
    rd: rd.Parameters | None
    changes: tuple[ParameterChange, ...]
    book: RuleBook | None  # set when there are changes

    def reformed(self) -> RuleBook:
        assert self.book is not None
        return reformed_book(self.book, list(self.changes))


def _amount(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ReformError(f"{where}: {value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ReformError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ReformError(f"{where}: {value} is negative or not finite")
    return number


def _rd_parameters(data: object, file: str) -> rd.Parameters:
    """The R&D scheme's figures with the section's changes."""
    where = f"{_at(file, data, 'section')}: rd_subsidy"
    if not isinstance(data, dict):
        raise ReformError(f"{where} is a mapping (ratio_percent:, classes:)")
    unknown = set(data) - {"ratio_percent", "classes"}
    if unknown:
        raise ReformError(f"{where}: unknown key(s) {sorted(unknown)}; expected ratio_percent, classes")
    params = rd.parameters()
    ratio_ppm = params.ratio_ppm
    if "ratio_percent" in data:
        ppm = _amount(data["ratio_percent"], f"{where}.ratio_percent") * 10_000
        if ppm != ppm.to_integral_value() or ppm > rd.PPM:
            raise ReformError(f"{where}.ratio_percent must be at most 100 with at most 4 decimals")
        ratio_ppm = int(ppm)
    classes = dict(params.classes)
    given = data.get("classes") or {}
    if not isinstance(given, dict):
        raise ReformError(f"{where}.classes is a mapping of class codes ({', '.join(classes)})")
    for code, changes in given.items():
        at = f"{_at(file, changes if _line(changes) else given, 'classes')}: rd_subsidy.classes.{code}"
        if code not in classes:
            raise ReformError(f"{at}: unknown class {code!r}; expected one of {', '.join(classes)}")
        if not isinstance(changes, dict) or set(changes) - set(_CLASS_KEYS):
            raise ReformError(f"{at} takes {', '.join(_CLASS_KEYS)}")
        fields = {}
        for key, value in changes.items():
            if key == "top_n":
                if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                    raise ReformError(f"{at}.top_n: a whole number ≥ 1, or null for no ranking")
                fields["top_n"] = value
            else:
                try:
                    fields[_CLASS_KEYS[key]] = to_fen(_amount(value, f"{at}.{key}"), "万元")
                except ValueError as exc:
                    raise ReformError(f"{at}.{key}: {exc}") from None
        classes[code] = dataclasses.replace(classes[code], **fields)
    return rd.Parameters(classes, ratio_ppm)


def load_reform(path: Path, book: RuleBook | None = None) -> Reform:
    """Read and check a reform file; ``ReformError`` (a ``ValueError``) names the file, line and key.

    ``book`` is the rule book the ``parameters`` section is checked against (loaded when needed)."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # a SafeLoader
    except OSError as exc:
        raise ReformError(f"cannot read reform file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ReformError(f"{path} is not YAML: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise ReformError(f"{path}: a reform file is a mapping with rd_subsidy: and/or parameters:")
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        hint = (
            " (the R&D figures go under rd_subsidy:)" if {"ratio_percent", "classes"} & set(unknown) else ""
        )
        raise ReformError(f"{path}: unknown section(s) {unknown}; expected rd_subsidy, parameters{hint}")
    rd_params = _rd_parameters(data["rd_subsidy"], str(path)) if "rd_subsidy" in data else None
    entries = data.get("parameters") or []
    if not isinstance(entries, list):
        raise ReformError(f"{path}: parameters is a list of changes (- item: …, parameter: …, value: …)")
    changes: list[ParameterChange] = []
    if entries:
        if book is None:
            from huiqi.rules.loader import load_rules

            book = load_rules()
        for k, entry in enumerate(entries, 1):
            where = _at(str(path), entry, f"parameters entry {k}")
            changes.append(parameter_change(book, entry, _line(entry), where))
        check_overlaps(changes, str(path))
    return Reform(path, rd_params, tuple(changes), book if changes else None)


# ---------------------------------------------------------------------------------------------------
# The comparison


@dataclass(frozen=True, slots=True)
class Diff:
    """One line of a reform report — an item, or an entity group: beneficiaries (受益主体, an amount
    > 0) and money, before (the documents' figures) and after (the reform's)."""

    label: str
    beneficiaries_before: int
    beneficiaries_after: int
    total_before_fen: int
    total_after_fen: int
    undetermined: int = 0  # items: entities 待定 under the reform (facts missing), not counted above

    @property
    def diff_fen(self) -> int:
        return self.total_after_fen - self.total_before_fen

    @property
    def mean_before_fen(self) -> int:
        """Per beneficiary, rounded half-up to the fen (as ``calc-pop`` reports it)."""
        n = self.beneficiaries_before
        return round_fen(Decimal(self.total_before_fen) / n) if n else 0

    @property
    def mean_after_fen(self) -> int:
        n = self.beneficiaries_after
        return round_fen(Decimal(self.total_after_fen) / n) if n else 0


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """A document's yearly budget line (预算) against what its items pay, before and after."""

    line: str
    amount_fen: int
    bound: str  # floor / about / exact, as the rule file says
    total_before_fen: int
    total_after_fen: int


@dataclass(frozen=True, slots=True)
class Comparison:
    items: list[Diff]
    groups: list[tuple[str, list[Diff]]]  # (dimension, one Diff per value)
    budgets: list[BudgetUse]
    not_in_force: list[str]  # changed items that pay nothing in the year (outside their validity)
    changed_rows: int  # (entity, item) pairs whose status or amount changes


def compare(
    con, year: int, reform: rd.Parameters, budget_fen: int | None = None
) -> tuple[pa.Table, list[Diff]]:
    """The R&D scheme with the document's figures and with the reform's on the population of ``con``
    (its ``tables.attach`` views); per-entity rows (``amount_before_fen``, ``amount_after_fen``,
    ``diff_fen``) and one ``Diff`` per class of 第八条."""
    before = rd_subsidy_stages.run(con, year, budget_fen).result
    after = rd_subsidy_stages.run(con, year, budget_fen, reform).result
    cmp = duck.connect()
    cmp.register("before_t", before)
    cmp.register("after_t", after)
    per_entity = fetch_arrow(
        cmp,
        """SELECT entity_id, coalesce(a.class_code, b.class_code) AS class_code,
                  coalesce(b.amount_fen, 0) AS amount_before_fen,
                  coalesce(a.amount_fen, 0) AS amount_after_fen,
                  coalesce(a.amount_fen, 0) - coalesce(b.amount_fen, 0) AS diff_fen
           FROM before_t b FULL JOIN after_t a USING (entity_id) ORDER BY entity_id""",
    )
    cmp.register("per_entity", per_entity)
    groups = cmp.execute(
        """SELECT class_code, count(*) FILTER (WHERE amount_before_fen > 0),
                  count(*) FILTER (WHERE amount_after_fen > 0),
                  sum(amount_before_fen)::BIGINT, sum(amount_after_fen)::BIGINT
           FROM per_entity GROUP BY class_code"""
    ).fetchall()
    by_code = {g[0]: Diff(*g) for g in groups}
    return per_entity, [by_code[c] for c in rd.CLASS_ORDER if c in by_code]


def _empty_results(con) -> None:
    for table in (BEFORE, AFTER):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT entity_id, CAST(NULL AS VARCHAR) AS item_id, "
            "CAST(NULL AS VARCHAR) AS status, CAST(NULL AS BIGINT) AS amount_fen FROM entities LIMIT 0"
        )


def _add_rd_rows(con, per_entity: pa.Table) -> None:
    """The R&D scheme's awards as rows of the result tables, item ``RD_ITEM`` (eligible when paid)."""
    con.register("rf_rd", per_entity)
    for table, column in ((BEFORE, "amount_before_fen"), (AFTER, "amount_after_fen")):
        con.execute(
            f"INSERT INTO {table} SELECT entity_id, '{RD_ITEM}', 'eligible', {column} "
            f"FROM rf_rd WHERE {column} > 0"
        )
    con.unregister("rf_rd")


def compare_population(
    population: Path,
    year: int,
    reform: Reform,
    budget_fen: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
):
    """Run the reform's sections over a population folder; returns ``(con, comparison)``, the
    connection holding the result tables for :func:`write_changes`. Raises ``FileNotFoundError`` /
    ``ValueError`` (``InputError``, a bad population) with one message."""
    con = duck.connect()
    attach_population(con, Path(population))
    rd_groups: list[Diff] = []
    if reform.changes:
        assert reform.book is not None
        run_both(con, reform.book, reform.reformed(), year, progress)
    else:
        _empty_results(con)
    if reform.rd is not None:
        if progress is not None:
            progress(0, 1, RD_ITEM)
        per_entity, rd_groups = compare(open_population(population), year, reform.rd, budget_fen)
        _add_rd_rows(con, per_entity)
        if progress is not None:
            progress(1, 1, RD_ITEM)
    return con, summarise(con, year, reform, rd_groups)


def _item_totals(con, table: str) -> dict[str, tuple[int, int, int]]:
    rows = con.execute(
        "SELECT item_id, count(*) FILTER (WHERE status = 'eligible' AND amount_fen > 0), "
        "COALESCE(sum(amount_fen) FILTER (WHERE status = 'eligible'), 0), "
        f"count(*) FILTER (WHERE status = 'undetermined') FROM {table} GROUP BY item_id"
    ).fetchall()
    return {item: (int(n), int(total), int(und)) for item, n, total, und in rows}


def _group_columns(year: int) -> list[tuple[str, str, str]]:
    """The entity groups a population carries: (dimension, column in the per-entity file, SQL over
    ``entities e`` and ``entity_years y``)."""
    first = year - HIGH_TECH_YEARS + 1
    return [
        ("主体类型 kind", "kind", "e.kind"),
        (
            "规模 size",
            "size_class",
            "CASE WHEN y.is_above_scale THEN '规上' WHEN NOT y.is_above_scale THEN '规下' ELSE '不详' END",
        ),
        ("产业 industry", "industry", "COALESCE(e.industry, '不详')"),
        (
            "国家高新技术企业",
            "high_tech",
            "CASE WHEN EXISTS (SELECT 1 FROM events t WHERE t.entity_id = e.entity_id "
            "AND t.type = 'enterprise_title' AND t.title = '国家高新技术企业' "
            f"AND t.date BETWEEN DATE '{first}-01-01' AND DATE '{year}-12-31') THEN '是' ELSE '否' END",
        ),
    ]


def summarise(con, year: int, reform: Reform, rd_groups: list[Diff] | None = None) -> Comparison:
    """Per item, per entity group and per budget line, from ``rf_before`` / ``rf_after`` on ``con``
    (whose input views — ``entities``, ``entity_years``, ``events`` — give the groups). Leaves the
    changed (entity, item) rows with their groups in the temporary table ``rf_changes``."""
    before, after = _item_totals(con, BEFORE), _item_totals(con, AFTER)
    touched = [] if reform.book is None else changed_items(reform.book, list(reform.changes))
    live = set() if reform.book is None else {li.item.id for li in live_items(reform.book, year)}
    shown = sorted(
        {i for i, (n, _, _) in before.items() if n}
        | {i for i, (n, _, _) in after.items() if n}
        | set(touched)
    )
    zero = (0, 0, 0)
    items = [
        Diff(
            i, before.get(i, zero)[0], after.get(i, zero)[0], before.get(i, zero)[1], *after.get(i, zero)[1:]
        )
        for i in shown
    ]
    not_in_force = [i for i in touched if i not in live]

    con.execute(
        "CREATE OR REPLACE TEMP TABLE rf_entity AS "
        f"WITH b AS (SELECT entity_id, sum(amount_fen) AS t FROM {BEFORE} "
        "WHERE status = 'eligible' AND amount_fen > 0 GROUP BY entity_id), "
        f"a AS (SELECT entity_id, sum(amount_fen) AS t FROM {AFTER} "
        "WHERE status = 'eligible' AND amount_fen > 0 GROUP BY entity_id) "
        "SELECT COALESCE(b.entity_id, a.entity_id) AS entity_id, COALESCE(b.t, 0)::BIGINT AS tb, "
        "COALESCE(a.t, 0)::BIGINT AS ta FROM b FULL JOIN a ON a.entity_id = b.entity_id"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rf_changes AS SELECT COALESCE(b.entity_id, a.entity_id) AS entity_id, "
        "COALESCE(b.item_id, a.item_id) AS item_id, COALESCE(b.status, 'not_eligible') AS status_before, "
        "COALESCE(b.amount_fen, 0) AS amount_before_fen, COALESCE(a.status, 'not_eligible') AS status_after, "
        "COALESCE(a.amount_fen, 0) AS amount_after_fen, "
        "COALESCE(a.amount_fen, 0) - COALESCE(b.amount_fen, 0) AS diff_fen "
        f"FROM {BEFORE} b FULL JOIN {AFTER} a ON a.entity_id = b.entity_id AND a.item_id = b.item_id "
        "WHERE b.status IS DISTINCT FROM a.status OR b.amount_fen IS DISTINCT FROM a.amount_fen"
    )
    dims = _group_columns(year)
    cols = ", ".join(f"{sql} AS {column}" for _, column, sql in dims)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE rf_group AS SELECT e.entity_id, {cols} FROM entities e "
        f"LEFT JOIN entity_years y ON y.entity_id = e.entity_id AND y.year = {int(year)} "
        "WHERE e.entity_id IN (SELECT entity_id FROM rf_entity UNION SELECT entity_id FROM rf_changes)"
    )
    groups: list[tuple[str, list[Diff]]] = []
    for name, column, _ in dims:
        rows = con.execute(
            f"SELECT COALESCE(g.{column}, '不详'), count(*) FILTER (WHERE x.tb > 0), "
            "count(*) FILTER (WHERE x.ta > 0), "
            "sum(x.tb)::BIGINT, sum(x.ta)::BIGINT FROM rf_entity x LEFT JOIN rf_group g USING (entity_id) "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
        groups.append(
            (name, [Diff(str(v), int(nb), int(na), int(tb), int(ta)) for v, nb, na, tb, ta in rows])
        )
    if rd_groups:
        groups.append(("研发补助类别 R&D class (第八条)", rd_groups))

    by_item = {d.label: d for d in items}
    budgets = []
    for rs in reform.book.rulesets.values() if reform.book is not None else ():
        for b in rs.budgets:
            members = [by_item[i] for i in b.items if i in by_item]
            if b.param.vtype is not VType.MONEY or not members:
                continue  # a share of expenditure has no amount; a line none of whose items pay
            budgets.append(
                BudgetUse(
                    b.id,
                    int(b.param.value),
                    b.bound,
                    sum(d.total_before_fen for d in members),
                    sum(d.total_after_fen for d in members),
                )
            )
    changed = con.execute("SELECT count(*) FROM rf_changes").fetchone()[0]
    return Comparison(items, groups, budgets, not_in_force, int(changed))


def write_changes(con, path: Path) -> int:
    """Write the changed (entity, item) rows with the entity's groups to ``path`` (Parquet, zstd);
    returns the number of rows."""
    names = ", ".join(f"g.{column}" for _, column, _ in _group_columns(0))
    target = "'" + str(path).replace("'", "''") + "'"
    con.execute(
        f"COPY (SELECT c.*, {names} FROM rf_changes c LEFT JOIN rf_group g USING (entity_id) "
        f"ORDER BY c.entity_id, c.item_id) TO {target} (FORMAT PARQUET, COMPRESSION ZSTD)"
    )
    return con.execute("SELECT count(*) FROM rf_changes").fetchone()[0]


# ---------------------------------------------------------------------------------------------------
# The chart


def write_chart(sections: list[tuple[str, list[Diff]]], png: Path, title: str) -> Path:
    """Bar charts of the totals before and after, one panel per section (the items, each kind of
    entity group), as a PNG, and an HTML page holding it and the numbers; returns the HTML path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sections = [(name, diffs) for name, diffs in sections if diffs]
    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "DejaVu Sans"]
    fig, axes = plt.subplots(
        max(len(sections), 1), 1, figsize=(9, 3.2 * max(len(sections), 1)), squeeze=False
    )
    for ax, (name, diffs) in zip(axes[:, 0], sections, strict=False):
        # Plot in 万元: a display scale, computed from integer fen.
        xs = range(len(diffs))
        ax.bar(
            [x - 0.2 for x in xs],
            [d.total_before_fen / 1_000_000 for d in diffs],
            width=0.4,
            label="document",
        )
        ax.bar(
            [x + 0.2 for x in xs], [d.total_after_fen / 1_000_000 for d in diffs], width=0.4, label="reform"
        )
        tilt = {"rotation": 30, "ha": "right"} if len(diffs) > 6 else {}
        ax.set_xticks(list(xs), [d.label for d in diffs], fontsize=8, **tilt)
        ax.set_ylabel("万元")
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 0.98))  # leave the top for the title
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    png.write_bytes(buffer.getvalue())
    tables = "".join(
        f"<h2>{html.escape(name)}</h2><table border=1><tr><th></th><th>beneficiaries (document)</th>"
        "<th>beneficiaries (reform)</th><th>total (document)</th><th>total (reform)</th><th>difference</th>"
        "</tr>"
        + "".join(
            f"<tr><td>{html.escape(d.label)}</td><td>{d.beneficiaries_before}</td><td>{d.beneficiaries_after}</td>"
            f"<td>{format_fen(d.total_before_fen)}</td><td>{format_fen(d.total_after_fen)}</td>"
            f"<td>{format_fen(d.diff_fen)}</td></tr>"
            for d in diffs
        )
        + "</table>"
        for name, diffs in sections
    )
    page = png.with_suffix(".html")
    heading = html.escape(title)
    image = base64.b64encode(buffer.getvalue()).decode()
    page.write_text(
        f"<!doctype html><meta charset='utf-8'><title>{heading}</title><h1>{heading}</h1>"
        f"<img alt='totals before and after' src='data:image/png;base64,{image}'>{tables}",
        encoding="utf-8",
    )
    return page
