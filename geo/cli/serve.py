"""`heritage-map serve`: the monitors' workspace in the browser, under waitress, on loopback by default.

A shell over `geo.workspace`: it describes the workspace in the environment,
sets Django up, brings the account database up to date, and either creates
the first admin account (`--create-admin`, the password asked on the
terminal or read from `HERITAGE_MAP_ADMIN_PASSWORD`, never from the command
line) or serves until Ctrl-C.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from geo.cli._options import data_option
from geo.errors import HeritageMapError

PASSWORD_VARIABLE = "HERITAGE_MAP_ADMIN_PASSWORD"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _setup(workspace: object) -> None:
    """Django configured for `workspace`, its database migrated."""
    import django
    from django.core.management import call_command

    from geo.workspace.config import Workspace

    assert isinstance(workspace, Workspace)
    os.environ.update(workspace.environ())
    os.environ["DJANGO_SETTINGS_MODULE"] = "geo.workspace.settings"
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _create_admin(username: str, full_name: str) -> None:
    from django.contrib.auth import get_user_model, password_validation
    from django.core.exceptions import ValidationError

    from geo.workspace.forms import USERNAME
    from geo.workspace.roles import grant

    if not USERNAME.match(username):
        raise click.BadParameter(
            "use lower-case letters, digits, '.', '_' or '-', starting with a letter (it is the name the log records)",
            param_hint="--create-admin",
        )
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise HeritageMapError(f"account {username!r} already exists; fix: choose another username, or log in with it")
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        if not sys.stdin.isatty():
            raise click.UsageError(f"no terminal to ask the password on: set {PASSWORD_VARIABLE} instead")
        password = click.prompt("Password for the new admin", hide_input=True, confirmation_prompt=True, err=True)
    first, _space, last = full_name.partition(" ")
    user = user_model(username=username, first_name=first, last_name=last, is_staff=True, is_superuser=True)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise HeritageMapError(
            f"password refused: {'; '.join(m.rstrip('.') for m in error.messages)}; fix: choose a longer, less common password"
        ) from None
    user.set_password(password)
    user.save()
    grant(user, "admin")
    click.echo(f"created admin account {username!r}; start the workspace with heritage-map serve and log in", err=True)


def _signing_key_notice(workspace: object) -> None:
    """Make the workspace's signing key on first run, and say how to register it while the keyring lacks it."""
    from geo.keyring import keyring_path, read_keyring
    from geo.workspace.config import Workspace, signing_key

    assert isinstance(workspace, Workspace)
    pair = signing_key(workspace)
    key = read_keyring(keyring_path(workspace.log_path)).keys.get(pair.fingerprint)
    if key is None or key.role != "workspace":
        click.echo(
            f"heritage-map: warning: the workspace's signing key {pair.fingerprint} is not registered, so it cannot record "
            f"anything yet; an admin registers it: heritage-map analyst add workspace --key "
            f"{workspace.signing_key_path}.pub --role workspace --sign-with ADMIN_KEY --data {workspace.data_dir}",
            err=True,
        )


@click.command(name="serve")
@data_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--state",
    "state_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the accounts database, the secret key and uploads in progress [default: DATA.workspace, beside DATA].",
)
@click.option(
    "--maps",
    "maps_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("maps"),
    show_default=True,
    help="Folder Publish writes the maps into.",
)
@click.option(
    "--tiles",
    type=click.Choice(["osm", "satellite", "none"]),
    default="osm",
    show_default=True,
    help="Basemap of published and small maps.",
)
@click.option(
    "--max-upload-mb",
    type=click.FloatRange(min=0.01),
    default=25,
    show_default=True,
    help="Largest evidence file accepted, in MB.",
)
@click.option(
    "--behind-tls-proxy", is_flag=True, help="Served through an HTTPS reverse proxy: secure cookies, HTTPS redirect, HSTS."
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Host name the workspace answers to (repeatable) [default: loopback names].",
)
@click.option(
    "--trusted-origin",
    "trusted_origins",
    multiple=True,
    help="Origin allowed to post forms, e.g. https://monitors.example.org (repeatable).",
)
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True, help="Requests served at once.")
@click.option(
    "--create-admin",
    "admin",
    metavar="USERNAME",
    help=f"Create the first admin account and exit (password from the terminal or ${PASSWORD_VARIABLE}).",
)
@click.option("--full-name", default="", help="The new admin's full name (with --create-admin).")
def command(
    data_dir: Path,
    host: str,
    port: int,
    state_dir: Path | None,
    maps_dir: Path,
    tiles: str,
    max_upload_mb: float,
    behind_tls_proxy: bool,
    allowed_hosts: tuple[str, ...],
    trusted_origins: tuple[str, ...],
    threads: int,
    admin: str | None,
    full_name: str,
) -> None:
    """Run the monitors' workspace in the browser (review queue, observation form, imports, publish, audit).

    \b
    Example (README, "The workspace"):
      heritage-map serve --data scratch/layers --create-admin admin
      heritage-map serve --data scratch/layers --maps scratch/maps
    """
    from geo.inputs import folder_problem
    from geo.workspace.config import Workspace, default_state_dir, signing_key

    problem = folder_problem(data_dir)
    if problem is not None:
        raise HeritageMapError(problem)
    data = data_dir.resolve()
    state = (state_dir or default_state_dir(data)).resolve()
    maps = maps_dir.resolve()
    if state.is_relative_to(maps) or state.is_relative_to(data):
        raise click.BadParameter(
            "the state folder holds the secret key and accounts: keep it out of the maps and data folders", param_hint="--state"
        )
    hosts = allowed_hosts or Workspace.allowed_hosts
    if host not in LOOPBACK and host not in hosts and not allowed_hosts:
        hosts = (*hosts, host)
    workspace = Workspace(
        data_dir=data,
        state_dir=state,
        maps_dir=maps,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        tiles=tiles,
        allowed_hosts=tuple(hosts),
        trusted_origins=trusted_origins,
        behind_tls_proxy=behind_tls_proxy,
    )
    _setup(workspace)
    if admin:
        _create_admin(admin, full_name)
        signing_key(workspace)  # made now, so an admin can register it before the first start
        return
    _signing_key_notice(workspace)
    import waitress

    from geo.workspace.wsgi import application

    if host not in LOOPBACK and not behind_tls_proxy:
        click.echo(
            "heritage-map: warning: listening beyond this machine without TLS; passwords would cross the network in clear. "
            "Put the workspace behind a TLS reverse proxy (README) and pass --behind-tls-proxy",
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"heritage-map: workspace for {data} at http://{shown}:{port}/ (state in {state}); Ctrl-C stops it", err=True)
    # A request body may hold several evidence files; the per-file limit is checked by the form with a clear message.
    waitress.serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="heritage-map",
        max_request_body_size=workspace.max_upload_bytes * 10 + 1024 * 1024,
        _quiet=True,
    )
