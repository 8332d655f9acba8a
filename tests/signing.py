"""Keys and keyrings for tests: Ed25519 key pairs written as OpenSSH files, registered as a team would."""

from __future__ import annotations

from pathlib import Path

from geo import keyring
from geo.keys import KeyPair, read_public, write_key_pair

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


def key_path(data_dir: Path, name: str, role: str = "reviewer") -> str:
    """The private key of `name` in `data_dir`'s keyring, registered now (by Admin, the first admin) if it is not yet."""
    folder = data_dir.parent / "keys"
    path = folder / f"{name.replace(' ', '_')}_ed25519"
    if path.exists():
        return str(path)
    admin = folder / "Admin_ed25519"
    if not admin.exists():
        register(data_dir, "Admin", "admin")
    return str(path if path.exists() else register(data_dir, name, role, admin))


def register_workspace(data_dir: Path, state_dir: Path) -> None:
    """Register a workspace's signing key (made in `state_dir` on first use) with role `workspace`, as an admin would."""
    from geo.workspace.config import SIGNING_KEY_FILE

    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / SIGNING_KEY_FILE
    if not path.exists():
        write_key_pair(path)
    admin = key_path(data_dir, "Admin", "admin")
    log = data_dir / "observations.jsonl"
    public = read_public(path.with_name(path.name + ".pub"))
    keyring.register_key(keyring.keyring_path(log), log, "workspace", public, "workspace", KeyPair.load(Path(admin)), STAMP)
