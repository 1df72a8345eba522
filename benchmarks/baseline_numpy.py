"""Document 002's items written by hand in plain numpy, for the benchmark's comparison.

The same rules as ``baseline_sql.py``, read from docs/rules.md and policies/002/rules.yaml, not
generated: each item is a few array expressions with the figures of its clause in 万元
(×1,000,000 fen). Input: the population folder's Parquet files (the benchmark's layout: every entity
an enterprise); output: the vectorized engine's sparse rows (entity_id, item_id, year, status,
amount_fen, cap_fen) as Parquet. Only valid for year 2023 (every 002 item is in force the whole year).

Three-valued logic as small integers: 0 False, 1 Unknown, 2 True, so that Kleene ``and`` is the
minimum, ``or`` the maximum and ``not`` is ``2 - x``. Money is int64 fen; a ratio is applied as an
exact integer fraction rounded half away from zero, as ``huiqi.money.round_fen`` does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

W = 1_000_000  # fen per 万元
F, U, T = 0, 1, 2
YEAR = 2023
START, END = np.datetime64("2023-01-01"), np.datetime64("2023-12-31")

# occurrence states: the amount is a value / Unknown / no tier; and the occurrence's status
V, AU, AN = 0, 1, 2
ST_W, ST_U, ST_E, ST_D, ST_N = 0, 1, 2, 3, 4

ITEMS = [
    "002/三/联合体共同体",
    "002/三/产业联盟",
    "002/三/制造业创新中心",
    "002/三/工程研究中心",
    "002/四/揭榜挂帅",
    "002/四/国家重大项目配套",
    "002/五/创新券",
    "002/五/算力补贴",
    "002/六/链主研发",
    "002/六/单项冠军",
    "002/六/专精特新",
    "002/六/隐形冠军",
    "002/八/订单增量",
    "002/八/成果转移",
    "002/九/国家科技奖",
    "002/九/省科技进步奖",
    "002/十/首台套",
    "002/十一/国际标准",
    "002/十一/国家行业标准",
    "002/十二/人才合作培养",
    "002/十三/股权投资",
    "002/十三/跟投",
]
POS = {item: k for k, item in enumerate(ITEMS)}


# ---------------------------------------------------------------------------------------------------
# Columns: a value array (nulls filled) and a three-valued view of conditions on it


def _col(t: pa.Table, name: str, fill) -> tuple[np.ndarray, np.ndarray]:
    """(values with nulls filled, known mask)."""
    c = t.column(name)
    known = np.asarray(pc.is_valid(c))
    return np.asarray(pc.fill_null(c, fill)), known


def tv(cond: np.ndarray, known: np.ndarray) -> np.ndarray:
    """A condition on a nullable column as 0/1/2 (Unknown where the column is null)."""
    return np.where(known, np.where(cond, T, F), U).astype(np.int8)


def _and(*xs: np.ndarray) -> np.ndarray:
    return np.minimum.reduce(xs) if len(xs) > 1 else xs[0]


def _or(*xs: np.ndarray) -> np.ndarray:
    return np.maximum.reduce(xs) if len(xs) > 1 else xs[0]


def ratio(x: np.ndarray, num: int, den: int) -> np.ndarray:
    """round(x × num/den) to the fen, half away from zero, in integers."""
    q = (np.abs(x) * num * 2 + den) // (2 * den)
    return np.sign(x) * q


def known_state(known: np.ndarray) -> np.ndarray:
    return np.where(known, V, AU).astype(np.int8)


def grid(key: np.ndarray, known: np.ndarray, cases: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """A grid over a code: (state, value)."""
    v = np.zeros(len(key), dtype=np.int64)
    hit = np.zeros(len(key), dtype=bool)
    for k, amount in cases.items():
        m = known & (key == k)
        v[m] = amount
        hit |= m
    return np.where(~known, AU, np.where(hit, V, AN)).astype(np.int8), v


# ---------------------------------------------------------------------------------------------------
# Occurrences


class Occ:
    """The occurrences of every item, appended item by item (entity row, item position, event index,
    subject, status, value, value known)."""

    def __init__(self) -> None:
        self.parts: list[tuple] = []

    def add(self, ent, pos, ev_index, subject, f, w, g, st, v, v_known, disc: bool) -> None:
        n = len(ent)
        f, w, g = (np.broadcast_to(x, (n,)) for x in (f, w, g))
        st, v = np.broadcast_to(st, (n,)), np.broadcast_to(v, (n,))
        # the status: the filter Unknown → W; then (payable) no tier → N, Unknown → U, zero → N;
        # (discretionary) Unknown → U, no tier → N
        unknown = (st == AU) | (w == U) | (g == U)
        if disc:
            status = np.select([f == U, unknown, st == AN], [ST_W, ST_U, ST_N], ST_D)
        else:
            status = np.select([f == U, st == AN, unknown, v == 0], [ST_W, ST_N, ST_U, ST_N], ST_E)
        # the filter False drops the event, the condition False the occurrence (unless the filter is
        # Unknown); a row that cannot pay is not kept
        keep = ((f == U) | ((f == T) & (w != F))) & (status != ST_N) & (g != F)
        self.parts.append(
            (
                ent[keep],
                np.full(int(keep.sum()), pos, dtype=np.int64),
                np.broadcast_to(ev_index, (n,))[keep],
                np.broadcast_to(subject, (n,))[keep],
                status[keep].astype(np.int8),
                v[keep].astype(np.int64),
                np.broadcast_to(v_known, (n,))[keep],
            )
        )

    def arrays(self):
        return [np.concatenate([p[k] for p in self.parts]) for k in range(7)]


def baseline_002(folder: Path, out: Path) -> None:
    """Compute 002 for 2023 by hand-written numpy over ``folder`` and write the rows to ``out``."""
    folder = Path(folder)
    ent_ids = np.asarray(pq.read_table(folder / "enterprises.parquet", columns=["entity_id"]).column(0))
    order = np.argsort(ent_ids, kind="stable")
    sorted_ids = ent_ids[order]
    n = len(ent_ids)

    def row_of(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Entity rows of ``ids`` and which ids are entities."""
        k = np.clip(np.searchsorted(sorted_ids, ids), 0, max(n - 1, 0))
        found = sorted_ids[k] == ids if n else np.zeros(len(ids), dtype=bool)
        return order[k], found

    # the year's facts, one row per entity (absent year → every fact Unknown)
    yt = pq.read_table(folder / "enterprise_years.parquet")
    yt = yt.filter(pc.equal(yt.column("year"), YEAR))
    rows, found = row_of(np.asarray(yt.column("entity_id")))
    rows = rows[found]

    def fact(name: str, fill) -> tuple[np.ndarray, np.ndarray]:
        v, known = _col(yt, name, fill)
        full = np.full(n, fill, dtype=v.dtype)
        kn = np.zeros(n, dtype=bool)
        full[rows], kn[rows] = v[found], known[found]
        return full, kn

    g = tv(*fact("is_fiscal_revenue_in_district", False))  # 002/一 区内
    member = tv(*fact("is_innovation_org_member", False))
    leader = tv(*fact("is_chain_leader", False))
    org_id, org_known = fact("innovation_org_id", "")
    everyone = np.arange(n)

    # events of 2023 (and every innovation organisation ever recognised, for 链主 ever(...))
    et = pq.read_table(folder / "events.parquet")
    e_rows, e_found = row_of(np.asarray(et.column("entity_id")))
    et, e_rows = et.filter(pa.array(e_found)), e_rows[e_found]
    e_type = np.asarray(et.column("type")).astype(str)
    e_date = np.asarray(et.column("date")).astype("datetime64[D]")
    # the event's position among its entity's events, in file order (as a profile gives it)
    by_ent = np.argsort(e_rows, kind="stable")
    first = np.searchsorted(e_rows[by_ent], e_rows[by_ent], side="left")
    e_index = np.empty(len(e_rows), dtype=np.int64)
    e_index[by_ent] = np.arange(len(e_rows)) - first
    in_year = (e_date >= START) & (e_date <= END)

    def events_of(etype: str):
        m = (e_type == etype) & in_year
        sub = et.filter(pa.array(m))
        idx = e_index[m]
        subj, sk = _col(sub, "subject", "")
        own = np.char.add(np.char.add(np.char.add(f"#{etype}@", e_date[m].astype(str)), "#"), idx.astype(str))
        return sub, e_rows[m], idx, subj.astype(object), sk & (subj != ""), own

    def attr(sub: pa.Table, name: str, fill=""):
        v, known = _col(sub, name, fill)
        return (v.astype(object) if fill == "" else v), known

    occ = Occ()

    def per_event(item, f, w, st, v, v_known, disc, ev, ladder=None):
        """One item over the events `ev`; `f` and `w` per event (the filter and the condition)."""
        _, ent, idx, subj, sk, own = ev
        pos = POS[item]
        if ladder is not None:
            subject = np.full(len(ent), ladder, dtype=object)
        else:
            subject = np.where(sk, subj, np.char.add(item, own).astype(object))
        occ.add(ent, pos, idx, subject, f, w, g[ent], st, v, v_known, disc)

    def yearly(item, w, st, v, v_known, disc):
        occ.add(everyone, POS[item], -1, f"{item}@{YEAR}", T, w, g, st, v, v_known, disc)

    true = np.int8(T)

    # 三: innovation organisations recognised (per event)
    ev = events_of("innovation_org_recognized")
    org_type, ot_k = attr(ev[0], "org_type")
    role, ro_k = attr(ev[0], "role")
    level, lv_k = attr(ev[0], "level")
    lead = tv(role == "牵头", ro_k)
    st, v = grid(level, lv_k, {"省": 50 * W, "市": 30 * W})
    f = _and(tv(np.isin(org_type, ["企业创新联合体", "产业链上下游企业共同体"]), ot_k), lead)
    per_event("002/三/联合体共同体", f, true, st, v, True, False, ev)
    f = _and(tv(org_type == "产业联盟", ot_k), lead)
    per_event("002/三/产业联盟", f, true, V, 30 * W, True, True, ev)
    f = _and(tv(org_type == "制造业创新中心", ot_k), lead, tv(np.isin(level, ["国家", "省", "市"]), lv_k))
    per_event("002/三/制造业创新中心", f, true, V, 0, False, True, ev)
    st, v = grid(level, lv_k, {"国家": 100 * W, "省": 50 * W, "市": 20 * W})
    f = _and(tv(org_type == "工程研究中心", ot_k), lead)
    per_event("002/三/工程研究中心", f, true, st, v, True, False, ev)

    # 四: 揭榜挂帅 30% of the R&D investment, at most 500万元; 国家重大项目 配套 (discretionary)
    ev = events_of("breakthrough_project_accepted")
    rd, rd_k = attr(ev[0], "rd_investment_fen", 0)
    v = np.minimum(ratio(rd, 3, 10), 500 * W)
    per_event("002/四/揭榜挂帅", true, member[ev[1]], known_state(rd_k), v, True, True, ev)
    ev = events_of("national_major_project_undertaken")
    per_event("002/四/国家重大项目配套", true, member[ev[1]], V, 0, False, True, ev)

    # 五: 创新券 30% of the contracts, 算力 20% of the fees (yearly)
    x, k = fact("tech_service_contract_fen", 0)
    yearly("002/五/创新券", tv(x > 0, k), known_state(k), ratio(x, 3, 10), True, False)
    x, k = fact("public_compute_fee_fen", 0)
    yearly("002/五/算力补贴", tv(x > 0, k), known_state(k), ratio(x, 2, 10), True, False)

    # 六: 链主 R&D 20% (discretionary) for a chain leader that ever led an innovation organisation
    m = e_type == "innovation_org_recognized"
    m &= e_date <= END
    r_role, r_k = _col(et.filter(pa.array(m)), "role", "")
    ever = np.zeros(n, dtype=np.int8)  # no such event: False (the list is complete)
    np.maximum.at(ever, e_rows[m], np.where(r_k, np.where(r_role.astype(object) == "牵头", T, F), U))
    x, k = fact("rd_expense_fen", 0)
    yearly("002/六/链主研发", _and(leader, ever, tv(x > 0, k)), known_state(k), ratio(x, 2, 10), True, True)
    # titles: the award ladders (补差 on promotion)
    ev = events_of("enterprise_title")
    title, ti_k = attr(ev[0], "title")
    level, lv_k = attr(ev[0], "level")
    per_event("002/六/单项冠军", tv(title == "单项冠军", ti_k), true, V, 200 * W, True, False, ev,
              "ladder:单项冠军")  # fmt: skip
    f = _or(
        _and(tv(title == "专精特新中小企业", ti_k), tv(level == "省", lv_k)),
        tv(title == "专精特新小巨人", ti_k),
    )
    st, v = grid(title, ti_k, {"专精特新小巨人": 100 * W, "专精特新中小企业": 20 * W})
    per_event("002/六/专精特新", f, true, st, v, True, False, ev, "ladder:专精特新")
    per_event("002/六/隐形冠军", tv(title == "隐形冠军", ti_k), true, V, 100 * W, True, False, ev,
              "ladder:隐形冠军")  # fmt: skip

    # 八: 订单增量 1亿元 and more → 100万元 (discretionary); 成果转移 20%, at most 100万元
    x, k = fact("local_order_increment_fen", 0)
    yearly("002/八/订单增量", _and(leader, tv(x >= 100 * 100 * W, k)), V, 100 * W, True, True)
    x, k = fact("tech_transfer_spend_fen", 0)
    yearly("002/八/成果转移", tv(x > 0, k), known_state(k), np.minimum(ratio(x, 2, 10), 100 * W), True, True)

    # 九: national awards by grade × the unit's rank (1 全额, 2–5 减半, 6+ 不予); provincial 科技进步奖
    ev = events_of("science_award")
    lvl, lv_k = attr(ev[0], "level")
    award, aw_k = attr(ev[0], "award")
    grade, gr_k = attr(ev[0], "grade")
    rank, rk_k = attr(ev[0], "unit_rank", 0)
    f = _and(tv(lvl == "国家", lv_k), tv(np.isin(award, ["技术发明奖", "科技进步奖"]), aw_k))
    tier = np.where(grade == "一等", 500 * W, np.where(grade == "二等", 100 * W, 0))
    st = np.select([~gr_k, ~np.isin(grade, ["一等", "二等"]), ~rk_k, rank < 1], [AU, AN, AU, AN], V).astype(
        np.int8
    )
    v = np.where(rank == 1, tier, np.where((rank >= 2) & (rank <= 5), tier // 2, 0))  # tiers are even
    per_event("002/九/国家科技奖", f, true, st, v, True, False, ev)
    f = _and(tv(lvl == "省", lv_k), tv(award == "科技进步奖", aw_k))
    st, v = grid(grade, gr_k, {"一等": 50 * W, "二等": 20 * W, "三等": 10 * W})
    per_event("002/九/省科技进步奖", f, tv(rank == 1, rk_k), st, v, True, False, ev)

    # 十: 首台套 (discretionary, up to 50万元)
    ev = events_of("first_of_kind_product")
    per_event("002/十/首台套", true, member[ev[1]], V, 50 * W, True, True, ev)

    # 十一: standards (their organisation's 100万元 a year shared below)
    ev = events_of("standard_published")
    scope, sc_k = attr(ev[0], "scope")
    role, ro_k = attr(ev[0], "role")
    drafter, dr_k = attr(ev[0], "drafter_rank", 0)
    st, v = grid(role, ro_k, {"主导": 100 * W, "参与": 50 * W})
    per_event("002/十一/国际标准", tv(scope == "国际标准", sc_k), member[ev[1]], st, v, True, False, ev)
    f = _or(
        _and(tv(scope == "国家标准", sc_k), tv(drafter <= 3, dr_k)),
        _and(tv(scope == "行业标准", sc_k), tv(drafter <= 2, dr_k)),
    )
    st, v = grid(scope, sc_k, {"国家标准": 20 * W, "行业标准": 10 * W})
    per_event("002/十一/国家行业标准", f, member[ev[1]], st, v, True, False, ev)

    # 十二, 十三 (discretionary)
    ev = events_of("talent_training_cooperation")
    per_event("002/十二/人才合作培养", true, member[ev[1]], V, 0, False, True, ev, "")
    yearly("002/十三/股权投资", member, V, 2000 * W, True, True)
    x, k = fact("vc_investment_received_fen", 0)
    yearly("002/十三/跟投", tv(x > 0, k), known_state(k), np.minimum(ratio(x, 2, 10), 1000 * W), True, True)

    _settle(occ, folder, n, ent_ids, row_of, org_id, org_known, out)


def keyed_sum(data_keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """For each query key, the sum of ``values`` under the same key in ``data_keys`` (0 if none)."""
    if len(data_keys) == 0:
        return np.zeros(len(query), dtype=np.int64)
    uk, inv = np.unique(data_keys, return_inverse=True)
    sums = np.zeros(len(uk), dtype=np.int64)
    np.add.at(sums, inv, values)
    at = np.clip(np.searchsorted(uk, query), 0, len(uk) - 1)
    return np.where(uk[at] == query, sums[at], 0)


def _settle(occ: Occ, folder: Path, n: int, ent_ids, row_of, org_id, org_known, out: Path) -> None:
    ent, pos, ev_index, subject, status, v, v_known = occ.arrays()
    npos = len(ITEMS)
    key = ent.astype(np.int64) * npos + pos
    # the item's status from its occurrences: Unknown (U or W) before eligible before discretionary
    rank = np.select([status <= ST_U, status == ST_E], [0, 1], 2)
    keys, inv = np.unique(key, return_inverse=True)
    item_rank = np.full(len(keys), 3)
    np.minimum.at(item_rank, inv, rank)
    # a discretionary item's ceiling: the sum of its occurrences', none when one has none
    is_d = status == ST_D
    cap = np.zeros(len(keys), dtype=np.int64)
    np.add.at(cap, inv[is_d], v[is_d])
    no_cap = np.zeros(len(keys), dtype=bool)
    np.logical_or.at(no_cap, inv[is_d], ~v_known[is_d])

    # 从优、从高、不重复: eligible occurrences of eligible items; per (entity, subject) the highest
    # amount, ties to the earlier item then event
    e = (status == ST_E) & (item_rank[inv] == 1)
    e_ent, e_pos, e_idx, e_subj, e_v, e_key = ent[e], pos[e], ev_index[e], subject[e], v[e], inv[e]
    pay = pq.read_table(folder / "payments.parquet") if (folder / "payments.parquet").exists() else None
    p_subj = np.asarray(pc.fill_null(pay.column("subject"), "")) if pay is not None else np.array([])
    # subjects as integers: those of the occurrences and of the payments, in one numbering
    subjects, s_inv = np.unique(np.concatenate([e_subj.astype(str), p_subj.astype(str)]), return_inverse=True)
    e_sid = s_inv[: len(e_subj)]
    o = np.lexsort((e_idx, e_pos, -e_v, e_sid, e_ent))
    first = np.ones(len(o), dtype=bool)
    first[1:] = (e_ent[o][1:] != e_ent[o][:-1]) | (e_sid[o][1:] != e_sid[o][:-1])
    winner = np.empty(len(o), dtype=bool)
    winner[o] = first
    due = np.where(winner, e_v, 0)

    # 补差 (已兑现): what was paid for the same subject (or, for a yearly item, its own payments of
    # the year without a subject) is subtracted; what remains is due
    row_key = e_ent.astype(np.int64) * npos + e_pos  # (entity, item) of each eligible occurrence
    k_ent, k_pos = keys // npos, keys % npos
    py = pall = np.zeros(len(keys), dtype=np.int64)  # the item's payments this year / all years
    std_paid, std_any = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    if pay is not None and len(pay):
        p_rows, ok = row_of(np.asarray(pay.column("entity_id")))
        p_item = np.asarray(pay.column("item")).astype(str)
        p_year = np.asarray(pay.column("year"))
        p_amt = np.asarray(pay.column("amount_fen")).astype(np.int64)
        p_hassubj = np.asarray(pc.is_valid(pay.column("subject")))
        p_pos = np.array([POS.get(i, -1) for i in p_item], dtype=np.int64)
        p_key = p_rows.astype(np.int64) * npos + p_pos
        m = ok & p_hassubj
        p_skey = p_rows.astype(np.int64) * len(subjects) + s_inv[len(e_subj) :]
        paid = keyed_sum(p_skey[m], p_amt[m], e_ent.astype(np.int64) * len(subjects) + e_sid)
        m = ok & ~p_hassubj & (p_pos >= 0) & (p_year == YEAR)
        paid = paid + np.where(e_idx < 0, keyed_sum(p_key[m], p_amt[m], row_key), 0)
        due = np.where(winner & (paid != 0), np.maximum(0, e_v - paid), due)
        m = ok & (p_pos >= 0)
        pall = keyed_sum(p_key[m], p_amt[m], keys)
        m &= p_year == YEAR
        py = keyed_sum(p_key[m], p_amt[m], keys)
        # 十一: this year's standards payments to the entity's organisation (or to none named)
        p_org, p_orgk = _col(pay, "org_id", "")
        r = p_rows
        std = ok & np.isin(p_item, ["002/十一/国际标准", "002/十一/国家行业标准"]) & (p_year == YEAR)
        std &= ~p_orgk | (org_known[r] & (p_org.astype(object) == org_id[r].astype(object)))
        np.add.at(std_paid, r[std], p_amt[std])
        std_any[r[std]] = True

    # the item's total, then its caps: 创新券 50万元 a year, 算力 100万元 over all years
    amount = np.zeros(len(keys), dtype=np.int64)
    np.add.at(amount, e_key, due)
    vou = k_pos == POS["002/五/创新券"]
    amount[vou] = np.minimum(amount[vou], np.maximum(0, 50 * W - py[vou]))
    cmp_ = k_pos == POS["002/五/算力补贴"]
    amount[cmp_] = np.minimum(amount[cmp_], np.maximum(0, 100 * W - pall[cmp_]))
    # 十一: 100万元 per organisation and year over both standards items, cut from the later item first
    room = np.where(std_any, np.maximum(0, 100 * W - std_paid), 100 * W)
    elig = item_rank == 1
    a17 = np.zeros(n, dtype=np.int64)
    a18 = np.zeros(n, dtype=np.int64)
    i17 = elig & (k_pos == POS["002/十一/国际标准"])
    i18 = elig & (k_pos == POS["002/十一/国家行业标准"])
    a17[k_ent[i17]] = amount[i17]
    a18[k_ent[i18]] = amount[i18]
    over = np.maximum(0, a17 + a18 - room)
    cut18 = np.minimum(a18, over)
    cut17 = np.minimum(a17, np.maximum(0, over - a18))
    amount[i18] -= cut18[k_ent[i18]]
    amount[i17] -= cut17[k_ent[i17]]

    names = np.array(["undetermined", "eligible", "discretionary"], dtype=object)
    keep = item_rank < 3
    st = names[item_rank[keep]]
    d = item_rank[keep] == 2
    table = pa.table(
        {
            "entity_id": ent_ids[k_ent[keep]],
            "item_id": np.array(ITEMS, dtype=object)[k_pos[keep]],
            "year": pa.array(np.full(int(keep.sum()), YEAR, dtype=np.int32)),
            "status": st,
            "amount_fen": np.where(item_rank[keep] == 1, amount[keep], 0),
            "cap_fen": pa.array(cap[keep], mask=~d | no_cap[keep]),
        }
    )
    pq.write_table(table, out, compression="zstd")
