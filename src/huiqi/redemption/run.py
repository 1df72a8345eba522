"""A redemption run (免申即享兑现): evaluate the registry for a document or an item and a year, and
store the candidates (候选名单) with everything needed to show and replay each one as it was made.

What a run stores (``huiqi.store.models_runs``):
- each entity's profile as evaluated (canonical JSON, SHA-256; unchanged profiles are stored once);
- the text of every rule file used (SHA-256), and per line the hash of the item's own definition;
- one line per eligible item with an amount > 0 and per discretionary item (酌定事项: the text leaves
  the amount to a decision, e.g. 择优), with the engine's explanation (trace) and the subjects
  (不重复 / 补差 keys) the amount is made of;
- entities under a ban (``clawback.active_ban``, 取消申请资格) on the run day: their lines are stored
  as ``excluded`` with the ban's citation, and never appear on the notice.

``replay`` evaluates the stored profiles again with the stored rule texts and reports any difference
(an engine change since the run shows up here). A run is read with ``show``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from huiqi import __version__
from huiqi.engine.evaluate import Calculation, Status, calculate
from huiqi.engine.profile import ProfileError, parse_profile
from huiqi.paths import policies_dir
from huiqi.redemption import audit
from huiqi.redemption.clawback import active_ban
from huiqi.redemption.profiles import build_profiles
from huiqi.rules.loader import RuleBook, RuleLoadError, load_rules, rule_files
from huiqi.store.db import transaction
from huiqi.store.models import Entity
from huiqi.store.models_runs import (
    ProfileSnapshot,
    RedemptionRun,
    RuleText,
    RunInput,
    RunLine,
    RunRuleFile,
)

CHUNK = 500  # entities read and evaluated per batch


class RunError(ValueError):
    """A run that cannot be made or read (unknown document or item, unknown run…)."""


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    # dates (in profiles, in YAML) become ISO text; everything else is plain JSON
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _plain(value: Any) -> Any:
    """The value as it will come back from a JSON column (so stored and replayed results compare)."""
    return json.loads(_canonical(value))


# --- rule files ------------------------------------------------------------------------------------

_DOCUMENT = re.compile(r"^document:\s*[\"']?([^\"'\s#]+)", re.M)


def _document_files() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in rule_files():
        found = _DOCUMENT.search(path.read_text("utf-8"))
        if found:
            out[found.group(1)] = path
    return out


def document_of(target: str) -> str:
    return target.split("/", 1)[0]


_BOOKS: dict[str, RuleBook] = {}  # RuleSource.sha256 → the loaded book


@dataclass(frozen=True, slots=True)
class RuleSource:
    """The rule files a run uses: {document: (path relative to policies/, text)}."""

    files: dict[str, tuple[str, str]]

    @property
    def sha256(self) -> str:
        return _sha256("\n".join(f"{d} {_sha256(t)}" for d, (_, t) in sorted(self.files.items())))

    def load(self) -> RuleBook:
        """Load exactly these texts (written to a scratch folder), whatever the files say today.

        Loading checks every quote against the policy texts and takes seconds; a process keeps the
        books it loaded by the texts' hash (a RuleBook is read-only but for its evaluation memos).
        """
        key = self.sha256
        book = _BOOKS.get(key)
        if book is None:
            book = _BOOKS[key] = self._load()
            while len(_BOOKS) > 4:  # a few rule versions at most in one process
                _BOOKS.pop(next(iter(_BOOKS)))
        return book

    def _load(self) -> RuleBook:
        with tempfile.TemporaryDirectory(prefix="huiqi-rules-") as tmp:
            paths = []
            for doc, (_, text) in sorted(self.files.items()):
                p = Path(tmp) / f"{doc.replace('/', '_')}.rules.yaml"
                p.write_text(text, encoding="utf-8")
                paths.append(p)
            return load_rules(paths)

    def item_hashes(self) -> dict[str, str]:
        """item id → the hash of its definition in its rule file (its YAML mapping, canonical JSON)."""
        out = {}
        for _, text in self.files.values():
            for it in (yaml.safe_load(text) or {}).get("items") or []:
                if isinstance(it, dict) and "id" in it:
                    out[str(it["id"])] = _sha256(_canonical(it))
        return out


def current_rules(target: str) -> RuleSource:
    """The rule file of ``target``'s document and of every document whose provisions it adopts."""
    by_doc = _document_files()
    doc = document_of(target)
    if doc not in by_doc:
        known = ", ".join(sorted(by_doc))
        raise RunError(f"no rule file for document {doc!r} (documents with rules: {known})")
    wanted, todo = set(), [doc]
    while todo:
        d = todo.pop()
        if d in wanted:
            continue
        if d not in by_doc:
            raise RunError(f"document {doc} adopts provisions of {d}, which has no rule file")
        wanted.add(d)
        raw = yaml.safe_load(by_doc[d].read_text("utf-8")) or {}
        todo.extend(document_of(str(pid)) for pid in raw.get("adopt") or [])
    base = policies_dir()
    return RuleSource(
        {d: (str(by_doc[d].relative_to(base)), by_doc[d].read_text("utf-8")) for d in sorted(wanted)}
    )


# --- evaluation ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """One line before it is stored."""

    entity_id: int
    item: str
    status: str
    computed_fen: int | None
    cap_fen: int | None
    result: dict
    subjects: list


def _candidates(calc: Calculation, entity_id: int, item: str | None) -> list[Candidate]:
    out = []
    for r in calc.items:
        if item is not None and r.item.id != item:
            continue
        if r.status is Status.ELIGIBLE and r.amount_fen > 0:
            computed, cap = r.amount_fen, None
        elif r.status is Status.DISCRETIONARY:
            computed, cap = None, r.cap_fen
        else:
            continue
        subjects = [[o.subject, o.due_fen] for o in r.occurrences if o.status is r.status]
        out.append(
            Candidate(entity_id, r.item.id, r.status.value, computed, cap, _plain(r.to_json()), subjects)
        )
    return out


def _evaluate(
    book: RuleBook, documents: list[str], item: str | None, year: int, profile_dict: dict, entity_id: int
) -> list[Candidate]:
    """The lines of one entity: the bulk path first, the explained path only when there is a line."""
    profile = parse_profile(_plain(profile_dict), f"entity {profile_dict['id']}")
    quick = calculate(book, profile, year, explain=False, near_misses=False, documents=documents)
    if not _candidates(quick, entity_id, item):
        return []
    # only candidates pay for the explained evaluation (the bulk path is several times faster)
    full = calculate(book, profile, year, explain=True, near_misses=False, documents=documents)
    return _candidates(full, entity_id, item)


@dataclass(slots=True)
class RunSummary:
    run_id: int
    evaluated: int
    lines: int
    excluded: int
    total_fen: int  # eligible lines, excluded ones left out
    discretionary: int
    problems: list[str] = field(default_factory=list)  # entities whose stored facts do not fit


def start_run(
    engine: Engine,
    target: str,
    year: int,
    prepared_by: str,
    on: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Evaluate every registered entity for ``target`` (a document or an item) and ``year``; store the run.

    ``on`` is the day bans are checked on (default today). ``progress(done, total)`` is called after
    each batch of entities. The evaluation reads in one transaction and the run is written in
    another, so the write lock is held only for the writing.
    """
    prepared_by = prepared_by.strip()
    if not prepared_by:
        raise RunError("a run needs the name of the official who prepares it (--by)")
    on = on or date.today()
    rules = current_rules(target)
    try:
        book = rules.load()
    except RuleLoadError as exc:
        raise RunError(f"the rules of {target} do not load: {exc}") from exc
    doc = document_of(target)
    item = target if "/" in target else None
    if item is not None and item not in {it.id for it in book.rulesets[doc].items}:
        raise RunError(f"no item {item!r} in document {doc}")
    documents = [doc]

    profiles: dict[int, str] = {}  # entity id → canonical JSON of the profile
    found: list[Candidate] = []
    problems: list[str] = []
    banned: dict[int, str] = {}
    with transaction(engine) as session:
        ids = list(session.execute(select(Entity.id).order_by(Entity.id)).scalars())
        for start in range(0, len(ids), CHUNK):
            entities = list(
                session.execute(
                    select(Entity).where(Entity.id.in_(ids[start : start + CHUNK])).order_by(Entity.id)
                ).scalars()
            )
            for eid, pdict in build_profiles(session, entities, year).items():
                try:
                    lines = _evaluate(book, documents, item, year, pdict, eid)
                except ProfileError as exc:
                    problems.append(str(exc))
                    continue
                profiles[eid] = _canonical(pdict)
                found.extend(lines)
            if progress:
                progress(min(start + CHUNK, len(ids)), len(ids))
        for eid in {c.entity_id for c in found}:
            ban = active_ban(session, eid, on)
            if ban is not None:
                banned[eid] = f"取消申请资格 until {ban.end.isoformat()} (exclusive): {ban.citation}"

    with transaction(engine) as session:
        run = RedemptionRun(
            target=target,
            documents=documents,
            year=year,
            run_on=on,
            prepared_by=prepared_by,
            created_at=datetime.now(UTC),
            engine_version=__version__,
            rules_sha256=rules.sha256,
            evaluated=len(profiles),
        )
        session.add(run)
        session.flush()
        item_hashes = rules.item_hashes()
        for d, (path, text) in rules.files.items():
            digest = _sha256(text)
            if session.get(RuleText, digest) is None:
                session.add(RuleText(sha256=digest, text=text))
            session.add(RunRuleFile(run_id=run.id, document=d, path=path, sha256=digest))
        _store_profiles(session, run.id, profiles)
        for n, c in enumerate(found, start=1):
            reason = banned.get(c.entity_id)
            session.add(
                RunLine(
                    run_id=run.id,
                    line_no=n,
                    entity_id=c.entity_id,
                    item=c.item,
                    item_sha256=item_hashes[c.item],
                    status=c.status,
                    computed_fen=c.computed_fen,
                    cap_fen=c.cap_fen,
                    amount_fen=c.computed_fen,
                    result=c.result,
                    subjects=c.subjects,
                    state="excluded" if reason else "open",
                    state_reason=reason,
                )
            )
        summary = RunSummary(
            run_id=run.id,
            evaluated=len(profiles),
            lines=len(found),
            excluded=sum(1 for c in found if c.entity_id in banned),
            total_fen=sum(c.computed_fen or 0 for c in found if c.entity_id not in banned),
            discretionary=sum(1 for c in found if c.status == "discretionary"),
            problems=problems,
        )
        audit.append(
            session,
            prepared_by,
            "run.create",
            f"run:{run.id}",
            {
                "target": target,
                "year": year,
                "run_on": on.isoformat(),
                "rules_sha256": rules.sha256,
                "evaluated": summary.evaluated,
                "lines": summary.lines,
                "excluded": summary.excluded,
                "total_fen": summary.total_fen,
            },
        )
    return summary


def _store_profiles(session: Session, run_id: int, profiles: dict[int, str]) -> None:
    digests = {eid: _sha256(body) for eid, body in profiles.items()}
    unique = {digests[eid]: body for eid, body in profiles.items()}
    known: set[str] = set()
    keys = list(unique)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        known.update(
            session.execute(select(ProfileSnapshot.sha256).where(ProfileSnapshot.sha256.in_(chunk))).scalars()
        )
    new = [{"sha256": d, "body": b} for d, b in unique.items() if d not in known]
    if new:
        session.execute(ProfileSnapshot.__table__.insert(), new)
    if digests:
        session.execute(
            RunInput.__table__.insert(),
            [{"run_id": run_id, "entity_id": eid, "profile_sha256": d} for eid, d in digests.items()],
        )


# --- reading and replaying -------------------------------------------------------------------------


def get_run(session: Session, run_id: int) -> RedemptionRun:
    run = session.get(RedemptionRun, run_id)
    if run is None:
        raise RunError(f"no run {run_id}")
    return run


def get_line(session: Session, run_id: int, line_no: int, lock: bool = False) -> RunLine:
    """Line ``line_no`` of a run; ``lock`` takes its row lock (PostgreSQL) before a change of state,
    so that two officials deciding the same line at once are serialised and the second sees the first."""
    query = select(RunLine).where(RunLine.run_id == run_id, RunLine.line_no == line_no)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    line = session.execute(query).scalar_one_or_none()
    if line is None:
        raise RunError(f"run {run_id} has no line {line_no}")
    return line


def lines_of(session: Session, run_id: int) -> list[tuple[RunLine, Entity]]:
    """The run's lines in notice order, each with its entity."""
    rows = session.execute(
        select(RunLine, Entity)
        .join(Entity, Entity.id == RunLine.entity_id)
        .where(RunLine.run_id == run_id)
        .order_by(RunLine.line_no)
    ).all()
    return [(line, entity) for line, entity in rows]


def stored_rules(session: Session, run_id: int) -> RuleSource:
    rows = session.execute(
        select(RunRuleFile, RuleText.text)
        .join(RuleText, RuleText.sha256 == RunRuleFile.sha256)
        .where(RunRuleFile.run_id == run_id)
    ).all()
    return RuleSource({f.document: (f.path, text) for f, text in rows})


def line_profile(session: Session, run_id: int, entity_id: int) -> dict:
    """The profile an entity was evaluated with in a run, as stored."""
    body = session.execute(
        select(ProfileSnapshot.body)
        .join(RunInput, RunInput.profile_sha256 == ProfileSnapshot.sha256)
        .where(RunInput.run_id == run_id, RunInput.entity_id == entity_id)
    ).scalar_one()
    return json.loads(body)


@dataclass(slots=True)
class Replay:
    run_id: int
    compared: int  # entities evaluated again
    lines: int  # lines the replay produced
    differences: list[str]

    @property
    def identical(self) -> bool:
        return not self.differences


def replay(engine: Engine, run_id: int) -> Replay:
    """Evaluate the run's stored profiles with its stored rule texts; list every line that differs."""
    with transaction(engine) as session:
        run = get_run(session, run_id)
        rules = stored_rules(session, run_id)
        inputs = session.execute(
            select(RunInput.entity_id, ProfileSnapshot.body)
            .join(ProfileSnapshot, ProfileSnapshot.sha256 == RunInput.profile_sha256)
            .where(RunInput.run_id == run_id)
            .order_by(RunInput.entity_id)
        ).all()
        stored = {(ln.entity_id, ln.item): ln for ln, _ in lines_of(session, run_id)}
        keys = {ln.entity_id: e.key for ln, e in lines_of(session, run_id)}
        book = rules.load()
        item = run.target if "/" in run.target else None
        again: dict[tuple[int, str], Candidate] = {}
        for eid, body in inputs:
            for c in _evaluate(book, list(run.documents), item, run.year, json.loads(body), eid):
                again[(c.entity_id, c.item)] = c
        diffs: list[str] = []
        for key in sorted(set(stored) | set(again)):
            old, new = stored.get(key), again.get(key)
            who = f"entity {keys.get(key[0], key[0])}, {key[1]}"
            if old is None:
                diffs.append(f"{who}: new line ({new.status}, {new.computed_fen} fen)")  # type: ignore[union-attr]
            elif new is None:
                diffs.append(f"line {old.line_no} ({who}): no longer a candidate")
            else:
                for name in ("status", "computed_fen", "cap_fen", "result", "subjects"):
                    if getattr(old, name) != getattr(new, name):
                        diffs.append(f"line {old.line_no} ({who}): {name} differs")
        return Replay(run_id, len(inputs), len(again), diffs)
