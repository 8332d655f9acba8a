"""The `heritage-map` command: a thin shell over the library.

Exit codes: 0 success, 1 invalid data or a failed check, 2 usage error.
Errors are one line on stderr naming the file, the feature, the field and the
fix; never a traceback.

Each subcommand's module is imported only when that subcommand runs (or its
own help is asked for): `heritage-map --help` lists them from `COMMANDS`
without loading geopandas, folium or rasterio, which some of them need.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from geo.errors import HeritageMapError
from geo.text import terminal

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("geo.cli.validate", "Check every layer and list every problem, naming file, feature and field."),
    "build": ("geo.cli.build", "Validate the layers and write the maps (index.html and the rest) into OUT."),
    "coverage": ("geo.cli.coverage", "Count communities counted of 107, site statuses and unlocated features."),
    "observe": ("geo.cli.observe", "Record, review, list and import monitors' observations."),
    "verify": ("geo.cli.verify", "Check the log's chain, signatures and evidence files; name the first broken record."),
    "analyst": ("geo.cli.analyst", "Register analysts' public keys in the keyring beside the log, and list them."),
    "log": ("geo.cli.log", "Merge two copies of the monitors' log (or keyring) that diverged; a git merge driver."),
    "imagery": ("geo.cli.imagery", "Catalog satellite scenes and ask what they show of each site."),
    "export": ("geo.cli.export", "Export the layers and the monitors' log, or a picture of the map, into OUT."),
    "serve": (
        "geo.cli.serve",
        "Run the monitors' workspace in the browser (review queue, observation form, imports, publish, audit).",
    ),
}
"""Each subcommand's module and the one-line summary `--help` lists (its docstring's first line: a test keeps them equal)."""


class DataError(click.ClickException):
    """A `HeritageMapError` on its way to stderr, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        """Print the one-line message on stderr."""
        click.echo(terminal(f"heritage-map: error: {self.format_message()}"), err=True)


class HeritageMapGroup(click.Group):
    """The subcommands of `COMMANDS`, each loaded when used; the library's errors become one line and exit 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand, in the order of `COMMANDS`."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The subcommand `cmd_name`, its module imported now."""
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = import_module(COMMANDS[cmd_name][0]).command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands with their summaries without importing their modules."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; a library error becomes one line and exit 1."""
        try:
            return super().invoke(ctx)
        except HeritageMapError as error:
            raise DataError(str(error)) from None
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise DataError(f"{where}{error.strerror or error}; fix: check the path and its permissions") from None


@click.group(cls=HeritageMapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="heritage-map")
def main() -> None:
    """Sourced maps of Nagorno-Karabakh's communities, routes and heritage sites.

    Example: heritage-map validate && heritage-map build --tiles none
    """
