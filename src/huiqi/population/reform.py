"""Reforms (政策调整测算): "what if the cap were 300万元?" — changed figures of the R&D subsidy, run
against the document's own over the same population, compared per entity and per class.

A reform file is YAML; every key is optional, amounts in 万元 as the document writes them::

    ratio_percent: 25          # 第八条's 20 %
    classes:
      sme_above: {cap_wan: 300, top_n: 300, min_growth_wan: 200}
      sme_below: {cap_wan: 80}
      amt_large: {min_growth_wan: 100}

``top_n: null`` removes the ranking of a class.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml

from huiqi.money import format_fen, to_fen
from huiqi.population import rd_subsidy as rd
from huiqi.population import rd_subsidy_stages
from huiqi.population.stages import fetch_arrow

_CLASS_KEYS = {"cap_wan": "cap_fen", "min_growth_wan": "min_growth_fen", "top_n": "top_n"}


def _amount(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{where}: {value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}: {value!r} is not a number") from None
    if number < 0:
        raise ValueError(f"{where}: {value} is negative")
    return number


def load_reform(path: Path) -> rd.Parameters:
    """The document's parameters with the reform file's changes; ``ValueError`` naming the bad key."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read reform file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a reform file is a mapping (ratio_percent:, classes:)")
    unknown = set(data) - {"ratio_percent", "classes"}
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}; expected ratio_percent, classes")
    params = rd.parameters()
    ratio_ppm = params.ratio_ppm
    if "ratio_percent" in data:
        ppm = _amount(data["ratio_percent"], f"{path}: ratio_percent") * 10_000
        if ppm != ppm.to_integral_value() or ppm > rd.PPM:
            raise ValueError(f"{path}: ratio_percent must be at most 100 with at most 4 decimals")
        ratio_ppm = int(ppm)
    classes = dict(params.classes)
    for code, changes in (data.get("classes") or {}).items():
        if code not in classes:
            raise ValueError(f"{path}: unknown class {code!r}; expected one of {', '.join(classes)}")
        if not isinstance(changes, dict) or set(changes) - set(_CLASS_KEYS):
            raise ValueError(f"{path}: classes.{code} takes {', '.join(_CLASS_KEYS)}")
        fields = {}
        for key, value in changes.items():
            where = f"{path}: classes.{code}.{key}"
            if key == "top_n":
                if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                    raise ValueError(f"{where}: a whole number ≥ 1, or null for no ranking")
                fields["top_n"] = value
            else:
                try:
                    fields[_CLASS_KEYS[key]] = to_fen(_amount(value, where), "万元")
                except ValueError as exc:
                    raise ValueError(f"{where}: {exc}") from None
        classes[code] = dataclasses.replace(classes[code], **fields)
    return rd.Parameters(classes, ratio_ppm)


@dataclass(frozen=True, slots=True)
class GroupDiff:
    """One entity group (a class of 第八条): beneficiaries and money, before and after."""

    group: str
    beneficiaries_before: int
    beneficiaries_after: int
    total_before_fen: int
    total_after_fen: int


def compare(
    con, year: int, reform: rd.Parameters, budget_fen: int | None = None
) -> tuple[pa.Table, list[GroupDiff]]:
    """Run the document's figures and the reform on the population of ``con``; per-entity rows
    (``amount_before_fen``, ``amount_after_fen``, ``diff_fen``) and per-class totals."""
    before = rd_subsidy_stages.run(con, year, budget_fen).result
    after = rd_subsidy_stages.run(con, year, budget_fen, reform).result
    cmp = duckdb.connect()
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
    by_code = {g[0]: GroupDiff(*g) for g in groups}
    ordered = [by_code[c] for c in rd.CLASS_ORDER if c in by_code]
    return per_entity, ordered


def write_chart(groups: list[GroupDiff], png: Path, title: str) -> Path:
    """A bar chart of the totals per class, before and after (PNG), and an HTML page holding it and
    the numbers; returns the HTML path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [rd.CLASS_RULES[g.group].label if g.group in rd.CLASS_RULES else g.group for g in groups]
    # Plot in 万元: a display scale, computed from integer fen.
    before = [g.total_before_fen / 1_000_000 for g in groups]
    after = [g.total_after_fen / 1_000_000 for g in groups]
    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(8, 4))
    xs = range(len(groups))
    ax.bar([x - 0.2 for x in xs], before, width=0.4, label="document")
    ax.bar([x + 0.2 for x in xs], after, width=0.4, label="reform")
    ax.set_xticks(list(xs), [g.group for g in groups])
    ax.set_ylabel("万元")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    png.write_bytes(buffer.getvalue())
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{g.beneficiaries_before}</td><td>{g.beneficiaries_after}</td>"
        f"<td>{format_fen(g.total_before_fen)}</td><td>{format_fen(g.total_after_fen)}</td>"
        f"<td>{format_fen(g.total_after_fen - g.total_before_fen)}</td></tr>"
        for label, g in zip(labels, groups, strict=True)
    )
    page = png.with_suffix(".html")
    heading = html.escape(title)
    image = base64.b64encode(buffer.getvalue()).decode()
    page.write_text(
        f"<!doctype html><meta charset='utf-8'><title>{heading}</title><h1>{heading}</h1>"
        f"<img alt='totals per class' src='data:image/png;base64,{image}'>"
        "<table border=1><tr><th>class</th><th>beneficiaries (document)</th><th>beneficiaries (reform)</th>"
        f"<th>total (document)</th><th>total (reform)</th><th>difference</th></tr>{rows}</table>",
        encoding="utf-8",
    )
    return page
