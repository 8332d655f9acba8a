"""Options shared by every subcommand, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/layers"),
    show_default=True,
    help="Folder holding the layers.",
)

out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("maps"),
    show_default=True,
    help="Folder the outputs are written to.",
)

key_option = click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="Your private key (OpenSSH Ed25519, e.g. ~/.ssh/id_ed25519), registered in the keyring; "
    "a passphrase is read from $HERITAGE_MAP_KEY_PASSPHRASE or asked on the terminal.",
)


def signer(data_dir: Path, key_path: Path) -> Any:
    """The `geo.keyring.Signer` of the private key at `key_path`, as the keyring beside the log registers it."""
    from geo.keyring import checked_keyring, keyring_path
    from geo.keys import KeyPair

    keyring = checked_keyring(keyring_path(data_dir / "observations.jsonl"))
    return keyring.signer(KeyPair.load(key_path))
