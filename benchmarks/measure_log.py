"""The monitors' log: append rate of `geo.observations.append_records` and `verify_log` time.

- bulk append: the records written into an empty log in batches of
  `BATCH` records (one locked, fsynced append per batch, as an import does);
- single append: one record appended to a log that already holds every record
  (what `heritage-map observe add` costs on a grown log), median of `runs`;
- verify: `geo.observations.verify_log` over the whole log (every hash
  recomputed, every record's Ed25519 signature checked against the keyring,
  the two-person rule; evidence is URLs, so no file is hashed), median of
  `runs`, once with every signature checked ("cold") and once with the
  signatures an earlier run verified remembered (`geo.trust`, "warm", what a
  second `verify` of the same log costs with `HERITAGE_MAP_CACHE` set: the
  cache is opt-in, so the warm runs set it to a folder of the run's own);
- floor: reading the log's bytes and parsing every line with `json.loads`,
  the part of both that no chain check can avoid.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING
from unittest import mock

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks import synthetic
from benchmarks._timing import Figure, median_seconds, timed
from geo import observations
from geo.keyring import Signer, keyring_path, register_key
from geo.keys import KeyPair
from geo.trust import CACHE_VARIABLE

if TYPE_CHECKING:
    from pathlib import Path

BATCH = 1_000


@dataclass
class LogRow:
    """The log figures at one size."""

    records: int
    log_bytes: int
    bulk: Figure
    batch: int
    single: Figure
    verify: Figure
    verify_cold: Figure
    parse_floor: Figure
    problems: int
    verified_records: int

    @property
    def bulk_rate(self) -> float:
        """Records appended per second in the bulk run."""
        return self.records / self.bulk.value


def _quiet(_: object) -> None:
    raise AssertionError("a freshly written log has no torn tail to quarantine")


def _parse(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if json.loads(line))


def _signers(workdir: Path, log: Path) -> tuple[Signer, Signer]:
    """A fresh keyring beside `log`: an admin, an analyst who observes and a reviewer who confirms."""
    keyring = keyring_path(log)
    keyring.unlink(missing_ok=True)
    pairs = {role: KeyPair.of(Ed25519PrivateKey.generate()) for role in ("admin", "analyst", "reviewer")}
    for role, pair in pairs.items():
        register_key(keyring, log, role.title(), pair.private.public_key(), role, pairs["admin"], "2024-01-01T00:00:00Z")
    return Signer(pairs["analyst"], "Analyst", "analyst"), Signer(pairs["reviewer"], "Reviewer", "reviewer")


def measure(workdir: Path, count: int, runs: int) -> LogRow:
    """Append `count` synthetic signed records, then time one more append, the verification and the parse floor."""
    path = workdir / f"observations-{count}.jsonl"
    path.unlink(missing_ok=True)
    analyst, reviewer = _signers(workdir, path)
    records = [
        (reviewer if record["kind"] == "review" else analyst).sign(record)
        for record in synthetic.observation_records(max(1, count // 20), count)
    ]

    def bulk() -> None:
        for start in range(0, len(records), BATCH):
            observations.append_records(path, [dict(r) for r in records[start : start + BATCH]], on_quarantine=_quiet)

    seconds, _ = timed(bulk)
    extra = iter(range(runs))

    def single() -> None:
        index = next(extra)
        record = analyst.sign({**records[0], "id": f"obs-extra-{index}", "note": "one more"})
        observations.append_records(path, [record], on_quarantine=_quiet)

    single_figure = median_seconds(single, runs)
    cold = median_seconds(lambda: observations.verify_log(path, workdir, use_cache=False), runs)
    with mock.patch.dict(os.environ, {CACHE_VARIABLE: str(workdir / "verify-cache")}):
        report = observations.verify_log(path, workdir)  # remembers the signatures it verified
        verify = median_seconds(lambda: observations.verify_log(path, workdir), runs)
    floor = median_seconds(lambda: _parse(path), runs)
    return LogRow(
        count,
        path.stat().st_size,
        Figure(seconds, 1),
        BATCH,
        single_figure,
        verify,
        cold,
        floor,
        len(report.problems),
        report.records,
    )
