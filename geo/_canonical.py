"""Canonical JSON and the SHA-256 hash chain shared by the append-only logs.

A record's `hash` is the SHA-256 of the canonical JSON of the record without
its `hash` member (so `prev_hash` is covered): keys sorted, no insignificant
white space, UTF-8, non-ASCII kept as is. The first record's `prev_hash` is
GENESIS.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

GENESIS = "0" * 64


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(obj: Any) -> bytes:
    """The one byte form of a JSON value that hashes are taken over (one encoder, made once).

    Raises ValueError for a number that is not finite and UnicodeEncodeError
    for a lone surrogate: neither has a canonical form.
    """
    return _CANONICAL.encode(obj).encode("utf-8")


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the canonical JSON of `record` minus its `hash`."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of a file, read in chunks so large rasters fit in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
