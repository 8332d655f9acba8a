"""Shared fixtures: a small valid data folder built in code."""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

import pytest

from tests.browser import launch
from tests.layers import write_layers

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser


def pytest_configure(config: pytest.Config) -> None:
    """Verified signatures are remembered in a folder of the run's own (servers started by tests inherit it)."""
    os.environ["HERITAGE_MAP_CACHE"] = tempfile.mkdtemp(prefix="heritage-map-cache-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium is marked `browser`, so `pytest -m "not browser"` needs no Playwright."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole run."""
    yield from launch()


@pytest.fixture(autouse=True)
def _signature_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test remembers verified signatures in a folder of its own, never in the user's cache."""
    monkeypatch.setenv("HERITAGE_MAP_CACHE", str(tmp_path_factory.mktemp("signature-cache")))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A complete, valid data folder (layers, log, catalog, timeline)."""
    return write_layers(tmp_path / "layers")
