"""The `heritage-map` command: a thin shell over the library.

Exit codes: 0 success, 1 invalid data or a failed check, 2 usage error.
Errors are one line on stderr naming the file, the feature, the field and the
fix; never a traceback.
"""

from __future__ import annotations

from typing import Any

import click

from geo.errors import HeritageMapError
from geo.text import terminal


class DataError(click.ClickException):
    """A `HeritageMapError` on its way to stderr, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        """Print the one-line message on stderr."""
        click.echo(terminal(f"heritage-map: error: {self.format_message()}"), err=True)


class HeritageMapGroup(click.Group):
    """A group that turns the library's errors into one-line messages and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; a library error becomes one line and exit 1."""
        try:
            return super().invoke(ctx)
        except HeritageMapError as error:
            raise DataError(str(error)) from None
        except OSError as error:
            raise DataError(f"{error.filename or ''}: {error.strerror or error}") from None


@click.group(cls=HeritageMapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="heritage-map")
def main() -> None:
    """Sourced maps of Nagorno-Karabakh's communities, routes and heritage sites.

    Example: heritage-map validate && heritage-map build --tiles none
    """


def _register() -> None:
    from geo.cli import build, coverage, export, imagery, observe, validate, verify

    for module in (validate, build, coverage, observe, verify, imagery, export):
        main.add_command(module.command)


_register()
