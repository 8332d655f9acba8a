"""Shared fixtures: a small valid data folder built in code."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser import launch
from tests.layers import write_layers


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole run."""
    yield from launch()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A complete, valid data folder (layers, log, catalog, timeline)."""
    return write_layers(tmp_path / "layers")
