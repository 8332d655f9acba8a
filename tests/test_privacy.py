"""Internal observations, internal notes and analysts' contacts never reach a public output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.build import build_maps
from tests.layers import SOURCE, default_log, write_layers

if TYPE_CHECKING:
    from pathlib import Path

SECRETS = ("SECRET-INTERNAL-NOTE", "analyst@secret.example", "+374-00-000000", "Internal Analyst Name")


def log_with_secrets() -> list[dict]:
    base = {
        "kind": "observation",
        "recorded_at": "2024-06-01T00:00:00Z",
        "evidence": [{"url": SOURCE}],
        "before_scene": None,
        "after_scene": None,
    }
    return [
        *default_log(),
        {
            **base,
            "id": "obs-internal",
            "site_id": "site-cemetery",
            "status": "destroyed",
            "observed_on": "2024-05-30",
            "analyst": "Internal Analyst Name",
            "origin": "monitor",
            "note": "SECRET-INTERNAL-NOTE",
            "contact": "analyst@secret.example",
            "visibility": "internal",
        },
        {
            **base,
            "id": "obs-review",
            "kind": "review",
            "of": "obs-internal",
            "decision": "confirm",
            "analyst": "second",
            "note": "SECRET-INTERNAL-NOTE",
            "visibility": "internal",
        },
        {
            **base,
            "id": "obs-contact",
            "site_id": "site-church",
            "status": "destroyed",
            "observed_on": "2024-05-01",
            "analyst": "a",
            "origin": "monitor",
            "note": "public note",
            "contact": "+374-00-000000",
            "visibility": "public",
        },
    ]


def test_no_output_file_contains_internal_data(tmp_path: Path) -> None:
    data = write_layers(tmp_path / "layers", log=log_with_secrets())
    for tiles, name in (("none", "a"), ("osm", "b")):
        build_maps(data, tmp_path / name, tiles=tiles)
        files = [p for p in (tmp_path / name).rglob("*") if p.is_file()]
        assert len(files) > 5
        for path in files:
            content = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in content, f"{secret} leaked into {path}"
    assert "SECRET-INTERNAL-NOTE" in (data / "observations.jsonl").read_text()
