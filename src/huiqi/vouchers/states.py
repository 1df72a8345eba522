"""A voucher's state moves only forward (issued → used → redeemed, or → void), and only from the state the
step expects: the move is one compare-and-set UPDATE, so of two steps racing on one voucher exactly one wins
(the database decides, not a read made earlier in Python)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from huiqi.store.models_vouchers import Voucher


def move(
    session: Session, voucher: Voucher, from_states: tuple[str, ...], to_state: str, **values: Any
) -> bool:
    """Set ``voucher`` to ``to_state`` (and ``values``) if it is still in one of ``from_states``.

    False when another step moved it first; the voucher object is expired either way, so that its next read
    shows the database's state.
    """
    done = session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.state.in_(from_states))
        .values(state=to_state, **values)
        .execution_options(synchronize_session=False)
    )
    session.expire(voucher)
    return done.rowcount == 1
