"""The package's layers only look down: a module imports modules of its own layer or below (docs/ARCHITECTURE.md).

Read from each module's source (every `import`, at the top or inside a
function, under TYPE_CHECKING or not), so a map builder that starts reading
files or an export that starts importing the map module fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

GEO = Path(__file__).resolve().parent.parent / "geo"

LAYERS: list[tuple[str, set[str]]] = [
    (
        "base",
        {"errors", "_canonical", "_gc", "_ranges", "_tasks", "_files", "_json", "text", "dates", "schema", "credits",
         "csvfile", "dictionary", "links", "citations", "evidence", "rasterfile", "outlets", "reconcile", "timeline",
         "i18n", "_messages"},
    ),
    ("read", {"layers", "_logfile", "observations", "scene", "imagery", "drafts", "inputs", "formexport", "keys", "keyring",
              "trust", "logmerge", "anchor"}),
    ("join", {"footprint_join", "join"}),
    ("validate", {"validate", "sitestatus"}),
    ("dataset", {"dataset"}),
    ("draw", {"payload", "assets", "render", "context"}),
    ("outputs", {"maps", "pages", "chips", "snapshot", "kml", "datapackage", "export", "coverage"}),
    ("publish", {"build", "picture"}),
    ("shell", {"cli", "workspace", "__init__", "__main__"}),
]  # fmt: skip
"""Lowest first. `validate` reads the join's problems and `sitestatus` the join's pairs, so both sit above it."""

EXCEPTIONS: set[tuple[str, str]] = set()
"""(module, module it may import though above it): none."""


def layer_of(module: str) -> int:
    for rank, (_, modules) in enumerate(LAYERS):
        if module in modules:
            return rank
    raise AssertionError(f"geo/{module}: in no layer; add it to docs/ARCHITECTURE.md's table and to LAYERS here")


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == "geo" or node.module.startswith("geo.")):
            found |= {alias.name for alias in node.names} if node.module == "geo" else {node.module.split(".")[1]}
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("geo.")}
    return found


def owner(path: Path) -> str:
    parts = path.relative_to(GEO).parts
    return parts[0] if len(parts) > 1 else path.stem


def test_every_module_imports_only_its_layer_or_below() -> None:
    upward = []
    for path in sorted(GEO.rglob("*.py")):
        module = owner(path)
        for name in sorted(imported(path) - {module}):
            if (module, name) not in EXCEPTIONS and layer_of(name) > layer_of(module):
                upward.append(f"{path.relative_to(GEO.parent)} imports geo.{name} ({LAYERS[layer_of(name)][0]})")
    assert upward == []


def test_the_exports_never_import_the_map_code() -> None:
    # A layer may import its own: this keeps the data exports apart from the maps all the same (the PNG is geo/picture.py).
    assert imported(GEO / "export.py") & {"maps", "pages", "chips", "build"} == set()


def test_the_layer_table_in_the_architecture_doc_names_every_module() -> None:
    doc = (GEO.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [m for _, modules in LAYERS for m in modules if m not in ("__init__", "__main__") and f"geo/{m}" not in doc]
    assert missing == []
