"""The one door through which the workspace writes to the monitors' log.

Every record the workspace appends (an observation from the form, the rows
of an import, a review) goes through `write`, on behalf of the logged-in
account. The library does the rest under the log's lock: it checks the
record against the log as it is at that moment (unique ids, one decision per
observation, no review by the author), chains it and fsyncs it. The account's
username is the record's `analyst` for observations and reviews made in the
workspace, so the library's two-person rule compares accounts.

Not yet done here: signing (issue #15). When signed records land, `write`
signs each record with the server's own registered key on behalf of
`account` and records which account it was; nothing else in the workspace
writes to the log, so that is the only change needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo import observations

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Account:
    """The logged-in account a record is written for."""

    username: str
    full_name: str
    role: str


@dataclass(frozen=True)
class NewObservations:
    """Checked observation records (`geo.drafts.prepare_observations`), numbered under the lock when written."""

    records: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class NewReview:
    """A decision on observation `of` by the account writing it."""

    of: str
    decision: str
    note: str | None


def write(log: Path, account: Account, change: NewObservations | NewReview) -> list[dict[str, Any]]:
    """Append `change` to the log at `log` for `account`; the written records, with their ids and hashes.

    Raises ObservationError when the log refuses it (a review by the
    observation's author, of a decided observation, ...); nothing is written then.
    """
    if isinstance(change, NewReview):
        return [observations.add_review(log, change.of, change.decision, account.username, change.note)]
    return observations.add_observations(log, [dict(record) for record in change.records])
