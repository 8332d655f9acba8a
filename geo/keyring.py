"""The keyring: who may sign the monitors' log, with which role; a file beside the log, `keyring.jsonl`.

Why a file of the log's own kind: it is append-only and hash-chained, read
and written through the log's one reader and one locked writer
(`geo._logfile`), merged the same way (`geo.logmerge`), and travels with the
data folder (`git`, a copy on a USB stick) so anyone holding the folder can
check every signature in it without asking a server.

Entries (`kind`):

- `key`: a public key (`public_key`, OpenSSH), its `fingerprint`, the
  analyst's `name` and `role` (`analyst`, `reviewer`, `admin`, or
  `workspace` for a server that signs on behalf of its accounts),
  `added_at`, and who added it (`signer`, an admin's fingerprint) with that
  admin's `signature`.
- `account`: an account a `workspace` key may sign for (`service`, the
  workspace key's fingerprint; `account`, its username; `name`; `role`),
  signed by that workspace key or by an admin.
- `merge`: written by `heritage-map log merge` (`geo.logmerge`).

The first entry bootstraps the keyring: an `admin` key signed by itself. Its
signature proves only that whoever wrote it held that private key; it is
trusted because the team says so outside the file (the fingerprint compared
by voice, in the commit that adds it, in a signed e-mail). It also records
how many records the log held when signing began and their head hash
(`legacy`): those records, and only those, may be unsigned. Every later entry
is signed by a key an earlier entry made `admin` (or, for an account, by its
workspace key).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geo import keys as keyfile
from geo._logfile import broken_log, locked_append, read_bytes, scan
from geo.errors import Problem, SigningError
from geo.logmerge import merge_problems
from geo.text import TextRefused, clean, identity

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from geo._logfile import Quarantine

KEYRING = "keyring.jsonl"
ROLES: tuple[str, ...] = ("analyst", "reviewer", "admin", "workspace")
ACCOUNT_ROLES: tuple[str, ...] = ("analyst", "reviewer", "admin")
REVIEWERS = frozenset({"reviewer", "admin"})
"""The roles whose confirmation counts (an admin may review too)."""


def keyring_path(log: Path) -> Path:
    """The keyring beside the log `log`."""
    return log.with_name(KEYRING)


@dataclass(frozen=True)
class Key:
    """A registered public key."""

    fingerprint: str
    name: str
    role: str
    public: Ed25519PublicKey
    entry: str


@dataclass(frozen=True)
class Account:
    """An account a workspace key may sign for."""

    service: str
    account: str
    name: str
    role: str
    entry: str


@dataclass
class Keyring:
    """The keyring's entries, checked: keys by fingerprint, accounts by (workspace key, username), every problem."""

    path: Path
    exists: bool = False
    keys: dict[str, Key] = field(default_factory=dict)
    accounts: dict[tuple[str, str], Account] = field(default_factory=dict)
    legacy: tuple[int, str] | None = None
    """(records, head hash) of the log when signing began: only those records may be unsigned."""
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    head: str = ""

    def signer(self, pair: keyfile.KeyPair, account: str | None = None) -> Signer:
        """The `Signer` for `pair` (for `account`, when it is a workspace key); SigningError when not registered."""
        key = self.keys.get(pair.fingerprint)
        if key is None:
            raise SigningError(
                Problem(
                    file=str(self.path),
                    found=f"key {pair.fingerprint} is not registered",
                    fix="an admin registers it: heritage-map analyst add NAME --key KEY.pub --role analyst --sign-with ADMIN_KEY",
                )
            )
        if account is None:
            if key.role == "workspace":
                raise SigningError(f"{self.path}: key {key.name!r} is a workspace key; fix: it signs only for an account")
            return Signer(pair, key.name, key.role)
        entry = self.accounts.get((pair.fingerprint, account))
        if key.role != "workspace" or entry is None:
            raise SigningError(
                Problem(
                    file=str(self.path),
                    found=f"account {account!r} is not registered for workspace key {pair.fingerprint}",
                    fix="register the account (the workspace does so when it signs its first record)",
                )
            )
        return Signer(pair, entry.account, entry.role, account=entry.account)


@dataclass(frozen=True)
class Signer:
    """A registered key ready to sign: its name and role from the keyring, and the account it signs for (workspace)."""

    pair: keyfile.KeyPair
    name: str
    role: str
    account: str | None = None

    @property
    def may_review(self) -> bool:
        """Whether its confirmations count."""
        return self.role in REVIEWERS

    def sign(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """`record` with the signer's name as `analyst`, its fingerprint, the account (if any) and the signature."""
        signed = {k: v for k, v in record.items() if k not in keyfile.UNSIGNED_FIELDS and k != "account"}
        signed["analyst"] = self.name
        signed["signer"] = self.pair.fingerprint
        if self.account is not None:
            signed["account"] = self.account
        signed["signature"] = keyfile.sign(self.pair.private, signed)
        return signed


def _problem(line: int | None, entry: str | None, found: str, fix: str, field_name: str | None = None) -> Problem:
    return Problem(line=line, kind="keyring entry", feature=entry, field=field_name, found=found, fix=fix)


ENTRY_FIX = "restore keyring.jsonl from a copy; entries are only ever appended, by an admin"


def _check_key(keyring: Keyring, line: int, entry: Mapping[str, Any], first: bool) -> None:
    entry_id = str(entry.get("id"))
    try:
        public = keyfile.parse_public(str(entry.get("public_key", "")))
    except SigningError as error:
        keyring.problems.append(_problem(line, entry_id, error.problems[0].found, ENTRY_FIX, "public_key"))
        return
    fingerprint = keyfile.fingerprint(public)
    if entry.get("fingerprint") != fingerprint:
        keyring.problems.append(
            _problem(line, entry_id, f"is not the fingerprint of its key ({fingerprint})", ENTRY_FIX, "fingerprint")
        )
        return
    role, signer = entry.get("role"), entry.get("signer")
    if role not in ROLES:
        keyring.problems.append(_problem(line, entry_id, f"{role!r} is not a role", ENTRY_FIX, "role"))
        return
    if first:
        if role != "admin" or signer != fingerprint:
            found = "the first entry must register an admin key, signed by that key itself"
            keyring.problems.append(_problem(line, entry_id, found, ENTRY_FIX, "signer"))
            return
        by: Ed25519PublicKey | None = public
        legacy = entry.get("legacy")
        if isinstance(legacy, dict) and isinstance(legacy.get("records"), int) and isinstance(legacy.get("head"), str):
            keyring.legacy = (legacy["records"], legacy["head"])
    else:
        admin = keyring.keys.get(str(signer))
        by = admin.public if admin is not None and admin.role == "admin" else None
    if by is None:
        found = f"signed by {signer!r}, which is not a registered admin key"
        keyring.problems.append(_problem(line, entry_id, found, ENTRY_FIX, "signer"))
        return
    if not keyfile.signature_holds(by, keyfile.signed_bytes(entry, keyfile.KEYRING_CONTEXT), entry.get("signature")):
        keyring.problems.append(
            _problem(line, entry_id, "the signature does not hold: the entry was changed", ENTRY_FIX, "signature")
        )
        return
    known = keyring.keys.get(fingerprint)
    if known is not None and known.role != role:
        found = f"registers key {fingerprint} again with role {role!r} ({known.entry} gave {known.role!r})"
        keyring.problems.append(_problem(line, entry_id, found, "a key has one role; register a new key for another", "role"))
        return
    keyring.keys[fingerprint] = Key(fingerprint, str(entry.get("name")), str(role), public, entry_id)


def _check_account(keyring: Keyring, line: int, entry: Mapping[str, Any]) -> None:
    entry_id = str(entry.get("id"))
    service, signer, role = str(entry.get("service")), str(entry.get("signer")), entry.get("role")
    workspace = keyring.keys.get(service)
    if workspace is None or workspace.role != "workspace":
        keyring.problems.append(_problem(line, entry_id, f"{service!r} is not a registered workspace key", ENTRY_FIX, "service"))
        return
    if role not in ACCOUNT_ROLES:
        keyring.problems.append(_problem(line, entry_id, f"{role!r} is not an account role", ENTRY_FIX, "role"))
        return
    by = keyring.keys.get(signer)
    if by is None or not (signer == service or by.role == "admin"):
        found = f"signed by {signer!r}, neither its workspace key nor a registered admin"
        keyring.problems.append(_problem(line, entry_id, found, ENTRY_FIX, "signer"))
        return
    if not keyfile.signature_holds(by.public, keyfile.signed_bytes(entry, keyfile.KEYRING_CONTEXT), entry.get("signature")):
        keyring.problems.append(
            _problem(line, entry_id, "the signature does not hold: the entry was changed", ENTRY_FIX, "signature")
        )
        return
    account = str(entry.get("account"))
    keyring.accounts[(service, account)] = Account(service, account, str(entry.get("name") or account), str(role), entry_id)


def read_keyring(path: Path) -> Keyring:
    """The keyring at `path`, every entry checked (chain, signatures, who may add what); a missing file is empty.

    Never raises for what the file holds: every problem is in `problems`.
    """
    keyring = Keyring(path)
    data = read_bytes(path)
    if data is None:
        return keyring
    found = scan(path, data)
    keyring.exists, keyring.records, keyring.head = True, found.records, found.head
    keyring.problems.extend(found.problems)
    if not found.problems:
        keyring.problems.extend(merge_problems(found.records, found.lines))
    first = True
    for line, entry in zip(found.lines, found.records):
        kind = entry.get("kind")
        if kind == "key":
            _check_key(keyring, line, entry, first)
            first = False
        elif kind == "account" and not first:
            _check_account(keyring, line, entry)
        elif kind != "merge":
            keyring.problems.append(
                _problem(line, str(entry.get("id")), f"kind {kind!r} is not a keyring entry", ENTRY_FIX, "kind")
            )
    return keyring


def checked_keyring(path: Path) -> Keyring:
    """`read_keyring`, refused (SigningError, the first problem) when any entry fails."""
    keyring = read_keyring(path)
    if keyring.problems:
        raise SigningError(*(p.at({"file": str(path)}) for p in keyring.problems))
    return keyring


def _report(moved: Quarantine) -> None:
    import sys

    print(f"heritage-map: warning: {moved}", file=sys.stderr)


def _new_id(prefix: str, existing: list[dict[str, Any]]) -> str:
    used = {r.get("id") for r in existing}
    while (candidate := f"{prefix}-{secrets.token_hex(4)}") in used:
        pass
    return candidate


def _name(value: str) -> str:
    try:
        name = clean(value, "name").strip()
    except TextRefused as error:
        raise SigningError(Problem(field="name", found=str(error), fix="retype the name as plain text")) from None
    if not name:
        raise SigningError(Problem(field="name", found="empty", fix="give the analyst's name"))
    return name


def register_key(
    path: Path, log: Path, name: str, public: Ed25519PublicKey, role: str, by: keyfile.KeyPair, added_at: str
) -> dict[str, Any]:
    """Append a `key` entry for `public` to the keyring at `path`, signed by `by`; returns it.

    The first entry must be an admin key signed by itself (`by` is its private
    half); it records the log's record count and head hash as the legacy
    prefix. Later entries must be signed by a registered admin key.
    """
    if role not in ROLES:
        raise SigningError(Problem(field="role", found=repr(role), fix=f"use one of {', '.join(ROLES)}"))
    name = _name(name)
    fingerprint = keyfile.fingerprint(public)

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keyring = checked_keyring(path)
        entry: dict[str, Any] = {
            "kind": "key",
            "id": _new_id("key", existing),
            "name": name,
            "role": role,
            "public_key": keyfile.public_text(public),
            "fingerprint": fingerprint,
            "added_at": added_at,
            "signer": by.fingerprint,
        }
        if not keyring.keys:
            if role != "admin" or by.fingerprint != fingerprint:
                raise SigningError(
                    Problem(
                        file=str(path),
                        found="the keyring is empty, so its first entry is its first admin",
                        fix="register your own key first: --role admin --sign-with YOUR_PRIVATE_KEY (the pair of --key)",
                    )
                )
            from geo.observations import scan_log  # the log's reader; the keyring sits below the log otherwise

            found = scan_log(log)
            if found.problems:
                raise broken_log(log, found.problems, hint="signing cannot begin on a broken log")
            entry["legacy"] = {"records": len(found.records), "head": found.head}
        else:
            admin = keyring.keys.get(by.fingerprint)
            if admin is None or admin.role != "admin":
                raise SigningError(
                    Problem(
                        file=str(path),
                        found=f"{by.fingerprint} is not a registered admin key",
                        fix="an admin signs new entries (--sign-with ADMIN_KEY)",
                    )
                )
            known = keyring.keys.get(fingerprint)
            if known is not None:
                raise SigningError(
                    Problem(
                        file=str(path),
                        kind="keyring entry",
                        feature=known.entry,
                        found=f"key {fingerprint} is already registered, as {known.name!r} ({known.role})",
                        fix="a key is registered once",
                    )
                )
        entry["signature"] = keyfile.sign(by.private, entry, keyfile.KEYRING_CONTEXT)
        return [entry]

    return locked_append(path, build, _report)[0]


def register_account(
    path: Path, service: keyfile.KeyPair, account: str, name: str, role: str, added_at: str
) -> dict[str, Any] | None:
    """Register `account` for the workspace key `service` (signed by it), unless it is registered with that role already.

    Returns the new entry, or None when nothing was needed.
    """
    if role not in ACCOUNT_ROLES:
        raise SigningError(Problem(field="role", found=repr(role), fix=f"use one of {', '.join(ACCOUNT_ROLES)}"))
    account, name = _name(account), _name(name or account)

    def build(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keyring = checked_keyring(path)
        key = keyring.keys.get(service.fingerprint)
        if key is None or key.role != "workspace":
            raise SigningError(
                Problem(
                    file=str(path),
                    found=f"the workspace key {service.fingerprint} is not registered with role workspace",
                    fix="an admin registers it: heritage-map analyst add workspace --key STATE/workspace_ed25519.pub "
                    "--role workspace --sign-with ADMIN_KEY",
                )
            )
        known = keyring.accounts.get((service.fingerprint, account))
        if known is not None and known.role == role and known.name == name:
            return []
        entry: dict[str, Any] = {
            "kind": "account",
            "id": _new_id("acct", existing),
            "service": service.fingerprint,
            "account": account,
            "name": name,
            "role": role,
            "added_at": added_at,
            "signer": service.fingerprint,
        }
        entry["signature"] = keyfile.sign(service.private, entry, keyfile.KEYRING_CONTEXT)
        return [entry]

    written = locked_append(path, build, _report)
    return written[0] if written else None


def person(record: Mapping[str, Any]) -> frozenset[tuple[str, ...]]:
    """Who a record's author is, as the two-person rule compares them: two records share an author when these meet.

    A signed record is its key (or, signed by a workspace, the workspace key
    and the account); every record is also its `analyst` name's identity
    (`geo.text.identity`), so one person with a key and a workspace account
    under the same name is still one person.
    """
    marks: set[tuple[str, ...]] = {("name", identity(record.get("analyst")))}
    signer = record.get("signer")
    if isinstance(signer, str) and record.get("signature"):
        account = record.get("account")
        marks.add(("account", signer, str(account)) if account is not None else ("key", signer))
    return frozenset(marks)
