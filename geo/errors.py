"""The package's errors: one root, each also a builtin it resembles.

Every message names what was expected, what arrived, and how to fix it; the
command line prints it on one line and exits 1.
"""

from __future__ import annotations


class HeritageMapError(Exception):
    """Root of every error this package raises on purpose."""


class LayerError(HeritageMapError, ValueError):
    """A layer file is missing, unreadable or invalid."""


class ObservationError(HeritageMapError, ValueError):
    """An observation or review cannot be recorded, or the log is broken."""


class UnsafeFileError(HeritageMapError, ValueError):
    """A file in the data folder is a link, a FIFO, a device or too large, so it is neither read nor written."""


class ImageryError(HeritageMapError, ValueError):
    """A scene or an imagery catalog cannot be read or added."""


class ExportError(HeritageMapError, ValueError):
    """An export was asked for in a form that cannot be produced."""
