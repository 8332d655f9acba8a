"""The package's one problem type and its errors: one root, each also a builtin it resembles.

A `Problem` is one thing wrong with one field of one feature of one file. It
is built from structured arguments (never parsed back from a message) and
printed one way, here: `<file>: line <n>: <kind> '<id>': field '<field>':
<found> (expected <expected>); fix: <fix>`, leaving out the parts it does not
have. Validation collects problems and reports them all; an error carries the
problem that stopped a command (and any others found with it), and the
command line prints it on one line and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, TypedDict

Severity = Literal["error", "warning"]


class Where(TypedDict, total=False):
    """Where problems are, for checks that do not know it themselves: `Problem.at` fills it in."""

    file: str | None
    line: int | None
    kind: str
    feature: str | None
    index: int | None


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with one field of one feature, and how to fix it.

    `feature` is the id of what is wrong (a feature, a log record, a catalog
    item, a site), `kind` says which of those it is; `index` is its position
    when it has no usable id; `line` is the line of a line-based file (the
    log, a CSV). `found` says what arrived, `expected` what was wanted (when
    `found` does not already say it), `fix` what to do.
    """

    found: str
    fix: str
    file: str | None = None
    line: int | None = None
    kind: str = "feature"
    feature: str | None = None
    index: int | None = None
    field: str | None = None
    expected: str | None = None
    severity: Severity = "error"

    def at(self, where: Where) -> Problem:
        """The same problem, placed in a file, line or feature."""
        return replace(self, **where)

    @property
    def where(self) -> str:
        """File, line and feature, as far as they are known: `routes.geojson: feature 'r1'`."""
        parts = [self.file] if self.file else []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.feature is not None:
            parts.append(f"{self.kind} {self.feature!r}")
        elif self.index is not None:
            parts.append(f"{self.kind} #{self.index}")
        return ": ".join(parts)

    def message(self) -> str:
        """The problem on one line, without its severity."""
        found = f"{self.found} (expected {self.expected})" if self.expected else self.found
        parts = [self.where] if self.where else []
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join([*parts, found]) + f"; fix: {self.fix}"

    def __str__(self) -> str:
        return f"{self.severity}: {self.message()}"


class HeritageMapError(Exception):
    """Root of every error this package raises on purpose.

    Raised with the `Problem`s that stopped the command (the first is the one
    shown, with how many more there are), or with a message when the error is
    not about an input; `hint` is said after either (what was or was not done,
    where to see the rest).
    """

    def __init__(self, first: Problem | str, *more: Problem, hint: str = "") -> None:
        self.problems: tuple[Problem, ...] = (first, *more) if isinstance(first, Problem) else more
        self.hint = hint
        super().__init__(first.message() if isinstance(first, Problem) else first)

    @property
    def problem(self) -> Problem | None:
        """The problem shown, when the error is about an input."""
        return self.problems[0] if self.problems else None

    def __str__(self) -> str:
        text = super().__str__()
        others = len(self.problems) - 1
        if others > 0:
            text += f" (and {others} more)"
        return f"{text}; {self.hint}" if self.hint else text


class LayerError(HeritageMapError, ValueError):
    """A layer file, or the data folder, is missing, unreadable or invalid."""


class ObservationError(HeritageMapError, ValueError):
    """An observation or review cannot be recorded, or the log is broken."""


class SigningError(HeritageMapError, ValueError):
    """A key cannot be read or is not registered, or a signature or the keyring does not hold."""


class UnsafeFileError(HeritageMapError, ValueError):
    """A file in the data folder is a link, a FIFO, a device or too large, so it is neither read nor written."""


class ImageryError(HeritageMapError, ValueError):
    """A scene or an imagery catalog cannot be read or added."""


class ExportError(HeritageMapError, ValueError):
    """An export was asked for in a form that cannot be produced."""


class AssetError(HeritageMapError, RuntimeError):
    """A map links a script or stylesheet that is neither vendored nor known to be unused (a fault in the code)."""
