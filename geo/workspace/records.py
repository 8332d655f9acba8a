"""The one door through which the workspace writes to the monitors' log, signed with its own key.

Every record the workspace appends (an observation from the form, the rows
of an import, a review) goes through `write`, on behalf of the logged-in
account. `write` makes sure the account is in the keyring (an `account`
entry under the workspace's key, with the account's role: `geo.keyring`),
then signs each record with the workspace's key for that account: the record
names the account (`account`), and its `analyst` is the account's username.
So `verify` accepts the record only for an account the keyring lists, and the
two-person rule compares accounts (and the names behind them), not typed
names. The library does the rest under the log's lock: it checks the record
against the log as it is at that moment (unique ids, one decision per
observation, no review by the author, a reviewer's role), chains it and
fsyncs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo import keyring, observations

if TYPE_CHECKING:
    from pathlib import Path

    from geo.keys import KeyPair


@dataclass(frozen=True)
class Account:
    """The logged-in account a record is written for."""

    username: str
    full_name: str
    role: str


@dataclass(frozen=True)
class NewObservations:
    """Checked observation records (`geo.drafts.prepare_observations`), given ids and signed under the lock when written."""

    records: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class NewReview:
    """A decision on observation `of` by the account writing it."""

    of: str
    decision: str
    note: str | None


def signer_for(log: Path, service: KeyPair, account: Account) -> keyring.Signer:
    """The workspace key's `Signer` for `account`, registering the account (or its new role) in the keyring first.

    Raises SigningError when the workspace key is not registered with role
    `workspace` (the message gives the command an admin runs).
    """
    path = keyring.keyring_path(log)
    keyring.register_account(
        path, service, account.username, account.full_name or account.username, account.role, observations.utc_now()
    )
    return keyring.checked_keyring(path).signer(service, account=account.username)


def write(log: Path, service: KeyPair, account: Account, change: NewObservations | NewReview) -> list[dict[str, Any]]:
    """Append `change` to the log at `log` for `account`, signed by the workspace key `service`; the records written.

    Raises ObservationError when the log refuses it (a review by the
    observation's author, of a decided observation, by an analyst, ...) and
    SigningError when the workspace key is not registered; nothing is written then.
    """
    signer = signer_for(log, service, account)
    if isinstance(change, NewReview):
        return [observations.add_review(log, change.of, change.decision, signer, change.note)]
    return observations.add_observations(log, [dict(record) for record in change.records], signer)
