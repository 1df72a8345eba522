"""The explanation trace (计算过程): each condition met or failed and each figure used, with its clause.

Also the one place that renders AST expressions as readable Chinese, for traces, why-nots, near-misses
and ``huiqi check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from huiqi.money import format_fen
from huiqi.rules import facts as vocab
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

OP_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "为", "!=": "不为"}


@dataclass(frozen=True, slots=True)
class Step:
    """One line of an explanation.

    ``kind``: provision | condition | event | amount | cap | nondup | upgrade | discretion | validity.
    ``ok``: True met, False failed, None undetermined or informational.
    """

    kind: str
    text: str
    ok: bool | None = None
    clause: str | None = None
    quote: str | None = None
    amount_fen: int | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text}
        for k in ("ok", "clause", "quote", "amount_fen"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        return out


def show_value(v: Any, vtype: VType) -> str:
    """A fact or figure as an official writes it: money in 万元/元, ratios in %, booleans 是/否."""
    if v is None:
        return "（未知）"
    if vtype is VType.MONEY and isinstance(v, int | Decimal):
        return format_fen(int(v)) if v == int(v) else f"{v}分"
    if vtype is VType.RATIO and isinstance(v, Decimal):
        return f"{(v * 100).normalize():f}%"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return "、".join(v)
    return str(v)


def label_of(e: Expr, event: vocab.EventSpec | None = None) -> str:
    if isinstance(e, FactRef):
        return vocab.FACTS_BY_NAME[e.name].label
    if isinstance(e, AttrRef):
        if event is not None and (a := event.attr(e.name)):
            return a.label
        return {"date": "日期", "type": "类型"}.get(e.name, e.name)
    return render(e, event)


def render(e: Expr, event: vocab.EventSpec | None = None) -> str:
    """An expression in words: ``链主企业 且 年度执行本地上下游配套订单增量 ≥ 1亿元``."""
    if isinstance(e, Lit):
        if e.vtype is VType.BOOL:
            return "是" if e.value else "否"
        if isinstance(e.value, tuple):
            return "、".join(e.value)
        return str(e.value)
    if isinstance(e, ParamRef):
        return e.param.text
    if isinstance(e, FactRef | AttrRef):
        return label_of(e, event)
    if isinstance(e, Compare):
        return f"{render(e.left, event)} {OP_WORDS[e.op]} {render(e.right, event)}"
    if isinstance(e, Logic):
        word = " 且 " if e.op == "and" else " 或 "
        return word.join(
            f"（{render(a, event)}）" if isinstance(a, Logic) else render(a, event) for a in e.args
        )
    if isinstance(e, Not):
        return f"并非（{render(e.arg, event)}）"
    if isinstance(e, In):
        return f"{render(e.item, event)}属于{render(e.options, event)}"
    if isinstance(e, Arith):
        return f"{render(e.left, event)} {e.op} {render(e.right, event)}"
    if isinstance(e, MinMax):
        return f"{'较小者' if e.fn == 'min' else '较大者'}（{'，'.join(render(a, event) for a in e.args)}）"
    if isinstance(e, Exists):
        spec = vocab.EVENTS_BY_TYPE[e.event_type]
        cond = f"（{render(e.where, spec)}）" if e.where is not None else ""
        return f"{'曾' if e.ever else '期内'}取得{spec.label}{cond}"
    return type(e).__name__
