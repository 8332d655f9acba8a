"""Shared fixtures: a small valid data folder built in code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.layers import write_layers


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A complete, valid data folder (layers, log, catalog, timeline)."""
    return write_layers(tmp_path / "layers")
