"""A progress chart (bullet bars) of targets against the data: one row per target, the bar is the
current figure as a percentage of the target, the vertical line at 100 % is the target itself.
Targets with no figure keep their row, labelled with why, so the chart never hides a gap in the data.
"""

from __future__ import annotations

import io
from pathlib import Path

from huiqi.indicators.progress import Reading, display

# Bars longer than this are cut (and the figure written out), so one target far beyond its
# value does not squash the others.
AXIS_MAX_PCT = 150

_NO_FIGURE = {
    "not_computable": "not computable from the data",
    "no_data": "no data in the source",
    "needs_base_year": "needs a base year",
}


def write_chart(readings: list[Reading], png: Path, title: str) -> Path:
    """Draw ``readings`` into the PNG file ``png`` and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "DejaVu Sans"]
    rows = list(reversed(readings))  # barh draws bottom-up; keep the file's order top-down
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(rows) + 1.2))
    for y, r in enumerate(rows):
        t = r.target
        ax.barh(y, AXIS_MAX_PCT, color="#f0f0f0", height=0.8)  # the scale behind each bar
        if r.progress_pct is None:
            ax.text(2, y, _NO_FIGURE[r.status], va="center", fontsize=8, color="#888888")
            continue
        pct = float(r.progress_pct)  # display only; the figures themselves stay Decimal
        color = "#2e7d32" if r.met else "#1565c0"
        ax.barh(y, min(pct, AXIS_MAX_PCT), color=color, height=0.45)
        label = f"{display(r.value, t)} / {t.value} {t.unit}  ({r.progress_pct}%)"
        ax.text(min(pct, AXIS_MAX_PCT) + 1, y, label, va="center", fontsize=8)
    ax.axvline(100, color="#c62828", linewidth=1.2)
    ax.set_yticks(
        range(len(rows)),
        [f"{r.target.label} ({r.target.year or '—'}, {r.target.clause})" for r in rows],
        fontsize=8,
    )
    ax.set_xlim(0, AXIS_MAX_PCT + 25)
    ax.set_xlabel("% of target")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    png.write_bytes(buffer.getvalue())
    return png
