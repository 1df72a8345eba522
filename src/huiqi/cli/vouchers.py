"""``huiqi voucher …``: the voucher schemes' lifecycle (docs/vouchers.md).

Thin, like ``huiqi.cli.redemption``: parse, call one function of ``huiqi.vouchers`` inside one
transaction, print (``--json`` for machines). A refused step is one red line and exit code 2.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.table import Table

from huiqi.cli.app import UserError, app, console
from huiqi.money import format_fen, to_fen

voucher_app = typer.Typer(
    help="创新券 (企业券, 平台券) and 活动券: apply, issue, use, redeem, void-expired, report.",
    no_args_is_help=True,
)
app.add_typer(voucher_app, name="voucher")

Scheme = Annotated[str, typer.Argument(help="enterprise (企业券), platform (平台券) or activity (活动券).")]
By = Annotated[str, typer.Option("--by", help="The official or applicant taking this step.")]
On = Annotated[str | None, typer.Option("--on", help="The day of the step, YYYY-MM-DD (default today).")]
Unit = Annotated[str, typer.Option("--unit", help="Unit of amounts: 元, 万元 or 亿元.")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _fen(amount: str | None, unit: str) -> int | None:
    if amount is None:
        return None
    try:
        return to_fen(Decimal(amount), unit)
    except (InvalidOperation, ValueError) as exc:
        raise UserError(f"amount {amount!r} {unit}: {exc}") from exc


def _facts(pairs: list[str]) -> dict[str, Any]:
    """``name=value`` pairs; a value that reads as JSON (an integer of fen, true) is taken as such."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--fact {pair!r}: write name=value")
        try:
            out[name.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[name.strip()] = value
    return out


def _step(fn):  # type: ignore[no-untyped-def]
    """Run ``fn(session)`` in one transaction; a refusal becomes a user error (exit 2)."""
    from sqlalchemy.exc import IntegrityError

    from huiqi.store.db import open_engine, transaction
    from huiqi.vouchers.schemes import VoucherError

    try:
        engine = open_engine()
    except Exception as exc:  # an unreachable server or a wrong URL: one line
        raise UserError(f"cannot open the database: {exc}") from exc
    try:
        with transaction(engine) as session:
            return fn(session)
    except VoucherError as exc:
        raise UserError(str(exc)) from exc
    except IntegrityError as exc:  # a concurrent step won the race, or an invariant of the tables
        raise UserError(f"refused by the database: {exc.orig}") from exc
    finally:
        engine.dispose()


def _scheme(name: str) -> str:
    from huiqi.vouchers.schemes import VoucherError, scheme_of

    try:
        return scheme_of(name)
    except VoucherError as exc:
        raise UserError(str(exc)) from exc


def _print(data: dict[str, Any], as_json: bool, line: str) -> None:
    if as_json:
        console.print_json(json.dumps(data, ensure_ascii=False, default=str))
    else:
        console.print(line, highlight=False)


@voucher_app.command("provider")
def provider(
    scheme: Scheme,
    key: Annotated[str, typer.Argument(help="The provider's registry key (credit code or registry id).")],
    basis: Annotated[str, typer.Option("--basis", help="The list or decision that registers it.")],
    by: By,
    on: On = None,
    as_json: Json = False,
) -> None:
    """Register a provider: a 创新载体 (企业券), a platform (平台券) or a reviewed organiser (活动券)."""
    from huiqi.vouchers.providers import register

    code = _scheme(scheme)
    row = _step(lambda s: register(s, code, key, basis, by, _day(on)))
    data = {"provider": row.id, "scheme": code, "key": key, "registered_on": row.registered_on}
    _print(data, as_json, f"provider {row.id}: {key} registered for {code} from {row.registered_on}")


@voucher_app.command("apply")
def apply(
    scheme: Scheme,
    holder: Annotated[str, typer.Argument(help="The applicant's registry key.")],
    year: Annotated[int, typer.Option("--year", help="The work year (工作年度).")],
    request_key: Annotated[
        str, typer.Option("--key", help="Your id for this application; a retry reuses it.")
    ],
    by: By,
    on: On = None,
    amount: Annotated[str | None, typer.Option("--amount", help="企业券/平台券: the amount asked.")] = None,
    unit: Unit = "元",
    item: Annotated[
        str | None, typer.Option("--item", help="平台券: the rule item of 003-23 第九条.")
    ] = None,
    fact: Annotated[list[str] | None, typer.Option("--fact", help="平台券: a fact name=value (fen).")] = None,
    organiser: Annotated[str | None, typer.Option("--organiser", help="活动券: the organiser's key.")] = None,
    activity: Annotated[
        str | None, typer.Option("--activity", help="活动券: the activity's reference.")
    ] = None,
    as_json: Json = False,
) -> None:
    """申领: apply for a voucher of a work year."""
    from huiqi.vouchers.quota import apply as apply_for

    code = _scheme(scheme)
    row = _step(
        lambda s: apply_for(
            s, code, holder, year, request_key, by, _day(on), amount_fen=_fen(amount, unit), item_id=item,
            facts=_facts(fact or []), provider_key=organiser, event_ref=activity,
        )
    )  # fmt: skip
    data = {
        "application": row.id,
        "scheme": code,
        "holder": holder,
        "year": row.year,
        "item": row.item,
        "requested_fen": row.requested_fen,
        "cap_fen": row.cap_fen,
        "state": row.state,
    }
    cap = f", ceiling {format_fen(row.cap_fen)}" if row.cap_fen is not None else ""
    _print(
        data, as_json, f"application {row.id}: {format_fen(row.requested_fen)} asked under {row.item}{cap}"
    )


@voucher_app.command("issue")
def issue_voucher(
    application: Annotated[int, typer.Argument(help="The application's number.")],
    by: By,
    on: On = None,
    face: Annotated[
        str | None, typer.Option("--face", help="The face value (平台券: the amount decided).")
    ] = None,
    unit: Unit = "元",
    rate: Annotated[
        str | None, typer.Option("--rate", help="企业券: the district's ratio, 0.3 or 30%.")
    ] = None,
    rate_basis: Annotated[
        str | None, typer.Option("--rate-basis", help="The text that sets the ratio.")
    ] = None,
    as_json: Json = False,
) -> None:
    """发放: issue the voucher of an application (again: the same voucher)."""
    from huiqi.vouchers.issue import issue

    row = _step(
        lambda s: issue(
            s, application, by, _day(on), face_fen=_fen(face, unit), rate=rate, rate_basis=rate_basis
        )
    )
    data = {
        "voucher": row.id,
        "application": application,
        "face_fen": row.face_fen,
        "valid_until": row.valid_until,
        "amount_basis": row.amount_basis,
    }
    _print(data, as_json, f"voucher {row.id}: {format_fen(row.face_fen)}, valid until {row.valid_until}")


@voucher_app.command("use")
def use_voucher(
    voucher: Annotated[int, typer.Argument(help="The voucher's number.")],
    holder: Annotated[str, typer.Option("--holder", help="The holder's registry key.")],
    provider: Annotated[str, typer.Option("--provider", help="The provider's (organiser's) registry key.")],
    ref: Annotated[str, typer.Option("--ref", help="合同登记编号, or the activity's reference.")],
    by: By,
    on: On = None,
    contract: Annotated[
        str | None, typer.Option("--contract", help="The technical contract's amount.")
    ] = None,
    unit: Unit = "元",
    signed: Annotated[str | None, typer.Option("--signed", help="The day the contract was signed.")] = None,
    related: Annotated[
        bool, typer.Option("--related", help="The two parties have an investment relation.")
    ] = False,
    client: Annotated[str | None, typer.Option("--client", help="平台券: the enterprise served.")] = None,
    as_json: Json = False,
) -> None:
    """使用: spend the voucher on a contract with a registered provider, or sign in at its activity."""
    from huiqi.vouchers.contract import use

    signed_on = _day(signed) if signed else None
    row = _step(
        lambda s: use(
            s, voucher, holder, provider, ref, by, _day(on), contract_fen=_fen(contract, unit),
            signed_on=signed_on, investment_related=related, client_key=client,
        )
    )  # fmt: skip
    data = {
        "voucher": voucher,
        "use": row.id,
        "ref": row.ref,
        "contract_fen": row.contract_fen,
        "used_on": row.used_on,
    }
    _print(data, as_json, f"voucher {voucher}: used on {row.ref} ({row.used_on})")


@voucher_app.command("redeem")
def redeem_voucher(
    voucher: Annotated[int, typer.Argument(help="The voucher's number.")],
    by: By,
    on: On = None,
    as_json: Json = False,
) -> None:
    """兑现: pay a used voucher in its work year; after it, the voucher is void and the step refused."""
    from huiqi.vouchers.redeem import Voided, redeem

    row = _step(lambda s: redeem(s, voucher, by, _day(on)))
    if isinstance(row, Voided):  # the void is committed; the redemption is refused
        raise UserError(f"voucher {voucher} is void: {row.reason}")
    data = {
        "voucher": voucher,
        "redemption": row.id,
        "amount_fen": row.amount_fen,
        "district": row.district,
        "citation": row.citation,
    }
    _print(data, as_json, f"voucher {voucher}: {format_fen(row.amount_fen)} — {row.citation}")


@voucher_app.command("void-expired")
def void_expired(by: By, on: On = None, as_json: Json = False) -> None:
    """作废: void what a work year ended before ``--on`` left unredeemed (safe to repeat)."""
    from huiqi.vouchers.expiry import void_expired as void_them

    vouchers, applications = _step(lambda s: void_them(s, _day(on), by))
    data = {"vouchers": vouchers, "applications": applications}
    _print(data, as_json, f"void: {len(vouchers)} vouchers, {len(applications)} applications")


@voucher_app.command("report")
def report(
    scheme: Scheme,
    year: Annotated[int, typer.Option("--year", help="The work year.")],
    as_json: Json = False,
) -> None:
    """The city's share of each district's redemptions in a year."""
    from huiqi.vouchers.reports import as_json as report_json
    from huiqi.vouchers.reports import city_share

    code = _scheme(scheme)
    rows = _step(lambda s: city_share(s, code, year))
    if as_json:
        console.print_json(json.dumps(report_json(code, year, rows), ensure_ascii=False))
        return
    table = Table(title=f"{code} {year}: the city's share by district")
    for column in ("district", "as named", "vouchers", "redeemed", "city", "district's", "kind"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.district or "—", r.named_as, str(r.vouchers), format_fen(r.total_fen),
            "—" if r.city_fen is None else format_fen(r.city_fen),
            "—" if r.district_fen is None else format_fen(r.district_fen), r.kind,
        )  # fmt: skip
    console.print(table)
    for basis in sorted({r.basis for r in rows}):
        console.print(basis, highlight=False)
