"""Sourced maps of Nagorno-Karabakh's communities, routes and heritage sites.

The few entry points; everything else lives in the module named for it.
"""

from geo.build import build_maps
from geo.inputs import load_inputs, validated_inputs
from geo.layers import read_layer
from geo.observations import append_records, read_log, site_histories, verify_log
from geo.validate import validate_layers

__all__ = [
    "append_records",
    "build_maps",
    "load_inputs",
    "read_layer",
    "read_log",
    "site_histories",
    "validate_layers",
    "validated_inputs",
    "verify_log",
]
