"""Analysts' keys and the signatures on records: Ed25519, in OpenSSH format, through `cryptography`.

Why OpenSSH keys: an analyst who already has `ssh-keygen -t ed25519` keys
uses them as they are, and a fingerprint here is the one `ssh-keygen -l`
prints (`SHA256:` and the unpadded base64 of the SHA-256 of the key blob), so
two people can compare it over the phone.

What is signed (`signed_bytes`): the domain string `SIGNED_CONTEXT`, then the
canonical JSON (`geo._canonical`) of the record without `hash`, `prev_hash`
and `signature`. The chain fields are left out so that a signature survives a
merge that re-chains the log (`geo.logmerge`); the signer's fingerprint, the
account (for the workspace) and the id are inside, so none can be swapped. The
domain string keeps a record's signature from being replayed as anything else
(an SSH login, a keyring entry: those carry their own string).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from geo._canonical import canonical_json
from geo._files import read_regular
from geo.errors import Problem, SigningError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

PASSPHRASE_VARIABLE = "HERITAGE_MAP_KEY_PASSPHRASE"
"""Where a private key's passphrase is read from when no terminal can ask for it (never from the command line)."""

SIGNED_CONTEXT = b"heritage-map signed record v1\n"
KEYRING_CONTEXT = b"heritage-map keyring entry v1\n"
UNSIGNED_FIELDS = frozenset({"hash", "prev_hash", "signature"})
MAX_KEY_FILE = 64 * 1024
KEY_FIX = "give an Ed25519 key in OpenSSH format (ssh-keygen -t ed25519 -f KEY)"


def _refused(path: Path | str | None, found: str, fix: str = KEY_FIX) -> SigningError:
    return SigningError(Problem(file=None if path is None else str(path), found=found, fix=fix))


def _blob(public_key: Ed25519PublicKey) -> bytes:
    text = public_key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return base64.b64decode(text.split()[1])


def public_text(public_key: Ed25519PublicKey) -> str:
    """`ssh-ed25519 AAAA...`: the key as an OpenSSH public key line, without a comment."""
    return public_key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode("ascii")


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """The key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` and unpadded base64."""
    digest = hashlib.sha256(_blob(public_key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def parse_public(text: str, where: str | None = None) -> Ed25519PublicKey:
    """The Ed25519 key of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`); SigningError otherwise."""
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] != "ssh-ed25519":
        kind = parts[0] if parts else "nothing"
        raise _refused(where, f"not an Ed25519 public key in OpenSSH format (starts with {kind[:40]!r})")
    try:
        key = serialization.load_ssh_public_key(f"{parts[0]} {parts[1]}".encode("ascii"))
    except (ValueError, UnsupportedAlgorithm, UnicodeEncodeError, binascii.Error) as error:
        raise _refused(where, f"an unreadable OpenSSH public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise _refused(where, "not an Ed25519 key")
    return key


def read_public(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in the file `path` (`KEY.pub`)."""
    data = read_regular(path, MAX_KEY_FILE)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise _refused(path, "not a text file") from None
    if "PRIVATE KEY" in text:
        raise _refused(path, "a private key", "register the public half (KEY.pub); the private key never leaves its owner")
    return parse_public(text, str(path))


def _ask_passphrase(path: Path) -> bytes:
    passphrase = os.environ.get(PASSPHRASE_VARIABLE)
    if passphrase is not None:
        return passphrase.encode("utf-8")
    if not sys.stdin.isatty():
        raise _refused(path, "protected by a passphrase and no terminal to ask it on", f"set {PASSPHRASE_VARIABLE}")
    import click  # the command line's prompt, hidden; the library never prompts otherwise

    return str(click.prompt(f"Passphrase for {path}", hide_input=True, err=True)).encode("utf-8")


def read_private(path: Path, passphrase: Callable[[Path], bytes] = _ask_passphrase) -> Ed25519PrivateKey:
    """The Ed25519 private key in the OpenSSH file `path`, its passphrase asked only when it has one.

    The passphrase comes from `HERITAGE_MAP_KEY_PASSPHRASE` or a hidden prompt,
    never from the command line (where `ps` and the shell history show it).
    """
    data = read_regular(path, MAX_KEY_FILE)
    if b"OPENSSH PRIVATE KEY" not in data:
        raise _refused(path, "not an OpenSSH private key")
    try:
        key = serialization.load_ssh_private_key(data, password=None)
    except TypeError:  # protected by a passphrase
        try:
            key = serialization.load_ssh_private_key(data, password=passphrase(path))
        except (ValueError, TypeError):
            raise _refused(
                path, "the passphrase does not open this key", f"check the passphrase ({PASSPHRASE_VARIABLE})"
            ) from None
    except (ValueError, UnsupportedAlgorithm) as error:
        raise _refused(path, f"an unreadable OpenSSH private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise _refused(path, "not an Ed25519 key")
    return key


def write_key_pair(path: Path) -> Ed25519PrivateKey:
    """A new key pair in `path` (0600, OpenSSH, no passphrase) and `path.pub`; the workspace's own key.

    Created with `O_EXCL` and mode 0600, so the private key is never readable
    by others, even for an instant.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    path.with_name(path.name + ".pub").write_text(public_text(key.public_key()) + "\n", encoding="ascii")
    return key


def signed_bytes(record: Mapping[str, Any], context: bytes = SIGNED_CONTEXT) -> bytes:
    """The bytes a signature covers: `context`, then the canonical JSON of `record` without the chain and the signature."""
    return context + canonical_json({k: v for k, v in record.items() if k not in UNSIGNED_FIELDS})


def sign(key: Ed25519PrivateKey, record: Mapping[str, Any], context: bytes = SIGNED_CONTEXT) -> str:
    """The base64 Ed25519 signature of `record` (`signed_bytes`)."""
    return base64.b64encode(key.sign(signed_bytes(record, context))).decode("ascii")


def signature_holds(public_key: Ed25519PublicKey, message: bytes, signature: object) -> bool:
    """True when `signature` (base64) is `public_key`'s Ed25519 signature of `message`."""
    if not isinstance(signature, str) or len(signature) != 88:
        return False
    try:
        public_key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


@dataclass(frozen=True)
class KeyPair:
    """A private key with its fingerprint, loaded once."""

    private: Ed25519PrivateKey
    fingerprint: str

    @classmethod
    def load(cls, path: Path, passphrase: Callable[[Path], bytes] = _ask_passphrase) -> KeyPair:
        """The key pair of the OpenSSH private key file `path`."""
        key = read_private(path, passphrase)
        return cls(key, fingerprint(key.public_key()))

    @classmethod
    def of(cls, key: Ed25519PrivateKey) -> KeyPair:
        """The key pair of a key already in memory."""
        return cls(key, fingerprint(key.public_key()))
