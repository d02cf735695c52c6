"""Both maps, the crosswalk and the placements between them, kept in a file of the user's cache
directory: reading it replaces importing the package's lists and placing every commune on every cold
start. The file is named after the package's version and a digest of the modules that build it
(`SOURCES`), so a new release or a changed rule builds a new one; a file that cannot be read is built
again, one that cannot be written is only missed. Counting reads a second, smaller file beside it:
the same units and placements as columns (`counting_columns`), so `linkage coverage` builds no `Unit`
per code. `linkage.geo.maps` says what is built (`load(build)`); this module only keeps it."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from linkage.geo.units import MAPS, Crosswalk, MapData, Place, Unit, check_map, national

SOURCES = ("units.py", "maps.py", "snapshot.py")  # the modules whose text the snapshot is built by


@dataclass(frozen=True)
class Snapshot:
    maps: Mapping[str, MapData]
    crosswalk: Crosswalk
    placements: Mapping[tuple[str, str], Mapping[str, Unit]]


def cache_dir() -> Path:
    """Where the snapshot is kept: `LINKAGE_CACHE_DIR`, else `$XDG_CACHE_HOME/linkage-tracker`, else
    `~/.cache/linkage-tracker`."""
    configured = os.environ.get("LINKAGE_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "linkage-tracker"


def installed_version(package: str, module: str) -> str:
    """The installed version of `package` (imported as `module`), from the name of its `dist-info` folder
    when it has one: `importlib.metadata` alone takes longer to import than a short command's whole count."""
    spec = importlib.util.find_spec(module)
    folder = package.replace("-", "_")  # a dist-info folder is named after the distribution, normalised
    if spec is not None and spec.origin is not None:
        found = sorted(Path(spec.origin).parent.parent.glob(f"{folder}-*.dist-info"))
        if len(found) == 1:
            return found[0].name.removeprefix(f"{folder}-").removesuffix(".dist-info")
    from importlib.metadata import version  # lazy: only where the folder's name does not say

    return version(package)


def source_version() -> str:
    """The installed version of `vietnam-provinces`, the maps' source."""
    return installed_version("vietnam-provinces", "vietnam_provinces")


def snapshot_key() -> str:
    """The package's version and a digest of `SOURCES`: what the snapshot was built from."""
    here = Path(__file__).parent
    digest = hashlib.sha256(b"".join((here / name).read_bytes() for name in SOURCES)).hexdigest()[:16]
    return f"vietnam-provinces-{source_version()}-{digest}"


def snapshot_path() -> Path:
    return cache_dir() / f"maps-{snapshot_key()}.json"


def read_kept(path: Path, key: str, parts: set[str]) -> dict[str, Any] | None:
    """A file written by `keep` for this key with these parts, or None (absent, unreadable, not ours)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) and raw.get("key") == key and parts <= set(raw) else None


def load(build: Callable[[], Snapshot]) -> Snapshot:
    """The snapshot as its file holds it: read, else built (`build`) and written first."""
    key = snapshot_key()
    path = snapshot_path()
    raw = read_kept(path, key, {"maps", "crosswalk", "placements"})
    if raw is None:
        raw = to_json(build(), key)
        keep(path, json.dumps(raw, ensure_ascii=False, separators=(",", ":")))
    return from_json(raw, key)


def counted(snapshot: Callable[[], Snapshot]) -> dict[str, Any]:
    """The columns counting reads (`counting_columns`), in a file of their own beside the snapshot: a
    third of its size."""
    key = snapshot_key()
    path = cache_dir() / f"counting-{key}.json"
    raw = read_kept(path, key, {"units", "placements"})
    if raw is None:
        raw = {"key": key, **counting_columns(snapshot())}
        keep(path, json.dumps(raw, ensure_ascii=False, separators=(",", ":")))
    return raw


def counting_columns(snapshot: Snapshot) -> dict[str, object]:
    """`unit_columns` and `placement_columns` of every map and pair of maps, made at build time."""
    units: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for name, data in snapshot.maps.items():
        communes = list(data.communes.values())
        rural = [data.is_rural(c.code) for c in communes]
        with_rural = {c.district for c, r in zip(communes, rural, strict=True) if r}
        units[name] = {
            "province": {"code": list(data.provinces), "name": [p.name for p in data.provinces.values()]},
            "district": {
                "code": list(data.districts),
                "name": [d.name for d in data.districts.values()],
                "province_code": [d.province for d in data.districts.values()],
                "in_scope": [d in with_rural for d in data.districts],
            },
            "commune": {
                "code": [c.code for c in communes],
                "name": [c.name for c in communes],
                "district_code": [c.district or None for c in communes],
                "province_code": [c.province for c in communes],
                "is_rural": rural,
            },
        }
    placements: dict[str, dict[str, list[Any]]] = {}
    for (from_map, on), placed in snapshot.placements.items():
        target = snapshot.maps[on]
        columns: dict[str, list[Any]] = {"code": [], "commune_code": [], "district_code": [], "province_code": []}
        for code, unit in placed.items():
            commune = target.communes[unit.code] if unit.level == "commune" else None
            columns["code"].append(code)
            columns["commune_code"].append(unit.code if commune else None)
            columns["district_code"].append(
                (commune.district or None) if commune else unit.code if unit.level == "district" else None
            )
            columns["province_code"].append(
                target.province_of(unit) if unit.level in ("commune", "district", "province") else None
            )
        placements[f"{from_map}>{on}"] = columns
    return {"units": units, "placements": placements}


def with_own_placements(
    maps: dict[str, MapData], cw: Crosswalk, placed: dict[tuple[str, str], Mapping[str, Unit]]
) -> Snapshot:
    for name, data in maps.items():  # on its own map a commune is placed in itself
        placed[(name, name)] = MappingProxyType({c: p.unit for c, p in data.communes.items()})
    return Snapshot(MappingProxyType(maps), cw, MappingProxyType(placed))


def keep(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all, also with two processes or threads writing it at once
    (each through a temporary file of its own, renamed into place); a read-only home is only missed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return  # the next process builds it again
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(partial)


_LEVELS = ("province", "district", "commune")


def to_json(snapshot: Snapshot, key: str) -> dict[str, object]:
    cw = snapshot.crosswalk
    return {
        "key": key,
        "maps": {
            name: {
                level: [
                    [p.code, p.name, p.unit.parent, p.kind, p.province, p.district] for p in data.level(level).values()
                ]
                for level in _LEVELS
            }
            for name, data in snapshot.maps.items()
        },
        "crosswalk": {
            "old_to_new": dict(cw.old_to_new),
            "new_to_old": dict(cw.new_to_old),
            "partly_merged": sorted(cw.partly_merged),
            "absent": sorted(cw.absent),
            "island_districts": dict(cw.island_districts),
            "table_provinces": dict(cw.table_provinces),
            "table_splits": dict(cw.table_splits),
        },
        "placements": {
            f"{a}>{b}": {code: [unit.level, unit.code] for code, unit in placed.items()}
            for (a, b), placed in snapshot.placements.items()
            if a != b
        },
    }


def from_json(raw: dict[str, Any], key: str) -> Snapshot:
    if raw["key"] != key:
        raise ValueError("a snapshot of another release")
    maps: dict[str, MapData] = {}
    for name in MAPS:
        levels = {
            level: MappingProxyType(
                {
                    code: Place(Unit(name, level, code, title, parent), kind, province, district)
                    for code, title, parent, kind, province, district in raw["maps"][name][level]
                }
            )
            for level in _LEVELS
        }
        maps[name] = MapData(name, levels["province"], levels["district"], levels["commune"])
    c = raw["crosswalk"]

    def tuples(mapping: dict[str, list[str]]) -> Mapping[str, tuple[str, ...]]:
        return MappingProxyType({k: tuple(v) for k, v in mapping.items()})

    cw = Crosswalk(
        old_to_new=tuples(c["old_to_new"]),
        new_to_old=tuples(c["new_to_old"]),
        partly_merged=frozenset(c["partly_merged"]),
        absent=frozenset(c["absent"]),
        island_districts=MappingProxyType(dict(c["island_districts"])),
        table_provinces=MappingProxyType(dict(c["table_provinces"])),
        table_splits=tuples(c["table_splits"]),
        maps=MappingProxyType(maps),
    )
    placed: dict[tuple[str, str], Mapping[str, Unit]] = {}
    for pair, units in raw["placements"].items():
        from_map, on = pair.split(">")
        target = maps[check_map(on)]
        placed[(check_map(from_map), on)] = MappingProxyType(
            {
                code: national(on) if level == "national" else target.level(level)[unit].unit
                for code, (level, unit) in units.items()
            }
        )
    return with_own_placements(maps, cw, placed)
