"""`heritage-map analyst add|list`: the keyring of the keys that may sign the monitors' log.

A thin layer over `geo.keyring`: the checks and the write live there.
"""

from __future__ import annotations

from pathlib import Path

import click

from geo import keyring as keyrings
from geo.cli._options import data_option
from geo.keys import KeyPair, read_public
from geo.observations import utc_now
from geo.text import terminal


@click.group(name="analyst")
def command() -> None:
    """Register analysts' public keys in the keyring beside the log, and list them.

    Example: heritage-map analyst add "B. Reviewer" --key bob.pub --role reviewer --sign-with ~/.ssh/id_ed25519
    """


@command.command(name="add")
@click.argument("name")
@click.option(
    "--key",
    "public_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The analyst's public key (KEY.pub, OpenSSH Ed25519).",
)
@click.option("--role", type=click.Choice(keyrings.ROLES), default="analyst", show_default=True, help="What the key may sign.")
@click.option(
    "--sign-with",
    "admin_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A registered admin's private key (for the first entry: the private half of --key itself).",
)
@data_option
def add(name: str, public_path: Path, role: str, admin_path: Path, data_dir: Path) -> None:
    """Register NAME's public key with a role; the first key registered is the keyring's first admin.

    \b
    Example (the first admin, then a reviewer):
      heritage-map analyst add "A. Admin" --key ~/.ssh/id_ed25519.pub --role admin --sign-with ~/.ssh/id_ed25519
      heritage-map analyst add "B. Reviewer" --key bob.pub --role reviewer --sign-with ~/.ssh/id_ed25519
    """
    log = data_dir / "observations.jsonl"
    public = read_public(public_path)
    entry = keyrings.register_key(keyrings.keyring_path(log), log, name, public, role, KeyPair.load(admin_path), utc_now())
    click.echo(entry["fingerprint"])
    legacy = entry.get("legacy")
    began = f"; signing begins after the log's {legacy['records']} record(s), which stay unsigned (legacy)" if legacy else ""
    click.echo(terminal(f"registered {entry['name']!r} ({role}) as {entry['id']}{began}"), err=True)


@command.command(name="list")
@data_option
def list_(data_dir: Path) -> None:
    """Print the keyring: each key's fingerprint, role and name, and the accounts each workspace key signs for.

    Example: heritage-map analyst list --data data/layers
    """
    keyring = keyrings.checked_keyring(keyrings.keyring_path(data_dir / "observations.jsonl"))
    for key in keyring.keys.values():
        click.echo(terminal(f"{key.fingerprint}  {key.role:<9}  {key.name}"))
        for account in (a for a in keyring.accounts.values() if a.service == key.fingerprint):
            click.echo(terminal(f"    account {account.account} ({account.role}): {account.name}"))
    legacy = f"; the log's first {keyring.legacy[0]} record(s) are legacy (unsigned)" if keyring.legacy else ""
    click.echo(f"{len(keyring.keys)} key(s){legacy}", err=True)
