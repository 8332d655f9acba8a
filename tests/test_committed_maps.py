"""`maps/` in the repository is the build of `data/layers/`: a stale copy fails here."""

from __future__ import annotations

from pathlib import Path

from geo.build import MANIFEST, build_maps

REPO = Path(__file__).resolve().parents[1]
FIX = "rebuild with `make maps` (heritage-map build --data data/layers --out maps --tiles osm) and commit maps/"


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST
    }


def manifest_hashes(folder: Path) -> list[tuple[str, str]]:
    """(hash, file name) pairs: input paths are relative to where the build wrote, so compare names."""
    pairs = []
    for line in (folder / MANIFEST).read_text(encoding="utf-8").splitlines():
        digest, _, path = line.partition("  ")
        pairs.append((digest, path if not path.startswith("..") else Path(path).name))
    return pairs


def test_committed_maps_match_a_fresh_build(tmp_path: Path) -> None:
    build_maps(REPO / "data" / "layers", tmp_path / "maps", tiles="osm")
    fresh, committed = files(tmp_path / "maps"), files(REPO / "maps")
    assert sorted(committed) == sorted(fresh), f"maps/ lists other files than a fresh build; {FIX}"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"stale: {stale[:5]}; {FIX}"
    assert manifest_hashes(REPO / "maps") == manifest_hashes(tmp_path / "maps"), FIX
