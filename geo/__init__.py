"""Sourced maps of Nagorno-Karabakh's communities, routes and heritage sites.

The few entry points; everything else lives in the module named for it. They
are imported when first used (PEP 562), so `import geo` or `import geo.dates`
does not load geopandas, folium or rasterio.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.build import build_maps
    from geo.dataset import open_dataset
    from geo.inputs import load_inputs
    from geo.layers import read_layer
    from geo.observations import append_records, read_log, site_histories, verify_log
    from geo.validate import validate_layers

_ENTRY_POINTS = {
    "append_records": "geo.observations",
    "build_maps": "geo.build",
    "load_inputs": "geo.inputs",
    "read_layer": "geo.layers",
    "read_log": "geo.observations",
    "site_histories": "geo.observations",
    "open_dataset": "geo.dataset",
    "validate_layers": "geo.validate",
    "verify_log": "geo.observations",
}

__all__ = [
    "append_records",
    "build_maps",
    "load_inputs",
    "open_dataset",
    "read_layer",
    "read_log",
    "site_histories",
    "validate_layers",
    "verify_log",
]


def __getattr__(name: str) -> Any:
    """The entry point `name`, imported from its module on first use."""
    try:
        module = _ENTRY_POINTS[name]
    except KeyError:
        raise AttributeError(f"module 'geo' has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_ENTRY_POINTS])
