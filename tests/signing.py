"""Keys and keyrings for tests: Ed25519 key pairs written as OpenSSH files, registered as a team would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo import keyring
from geo.keys import KeyPair, read_public, write_key_pair

if TYPE_CHECKING:
    from pathlib import Path

STAMP = "2024-06-01T00:00:00Z"


def new_key(folder: Path, name: str) -> Path:
    """A fresh key pair `folder/<name>_ed25519` (and `.pub`); returns the private key's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name.replace(' ', '_')}_ed25519"
    write_key_pair(path)
    return path


def register(data_dir: Path, name: str, role: str, admin: Path | None = None) -> Path:
    """A new key for `name` registered with `role` in `data_dir`'s keyring by `admin` (or, first, by itself)."""
    key = new_key(data_dir.parent / "keys", name)
    log = data_dir / "observations.jsonl"
    signer = KeyPair.load(admin or key)
    keyring.register_key(keyring.keyring_path(log), log, name, read_public(key.with_name(key.name + ".pub")), role, signer, STAMP)
    return key


def team(data_dir: Path) -> dict[str, Path]:
    """The usual team: Admin (admin), Ann (analyst), Bob and Cat (reviewers): their private keys' paths."""
    admin = register(data_dir, "Admin", "admin")
    return {
        "admin": admin,
        "ann": register(data_dir, "Ann", "analyst", admin),
        "bob": register(data_dir, "Bob", "reviewer", admin),
        "cat": register(data_dir, "Cat", "reviewer", admin),
    }


def signer(data_dir: Path, key: Path) -> keyring.Signer:
    """The `Signer` of `key` in `data_dir`'s keyring."""
    return keyring.checked_keyring(keyring.keyring_path(data_dir / "observations.jsonl")).signer(KeyPair.load(key))
