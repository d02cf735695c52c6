"""Where a row of an office's list is: its commune on its map, from names and addresses, never guessed.

The names are those the project already holds (`linkage.geo.maps`, the statistics office's lists in
`vietnam-provinces`), compared as keys (`headers.key`: no case, diacritics, punctuation or spacing)
after the type word is taken off (`Xã`, `X.`, `Phường`, `P.`, `Thị trấn`, `TT`, `Huyện`, `H.`,
`Quận`, `Q.`, `Thị xã`, `TX`, `Thành phố`, `TP`, `Tỉnh`).

An address is read in parts (separated by commas, semicolons or dashes), smallest first as offices
write them: `Thôn 3, xã Ea Tir, huyện Ea H'leo, tỉnh Đắk Lắk`. The commune is the last part typed as
a commune (`xã`, `phường`…), else the last part once the trailing parts that name a province or a
district are taken off; the parts before it (village, street) are ignored, the parts after it narrow
the search: each must name a province or district holding the commune. A row resolves when exactly
one commune of its map fits everything it names (`resolved`); several fit: `ambiguous` (candidates
listed); none: `unresolved`.

Example:

    >>> Places().resolve(address="X. Phước An, H. Tuy Phước, Bình Định").code   # map 2025-01
    '21985'
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from linkage.geo.geography import fold
from linkage.geo.maps import NEW_MAP, OLD_MAP, Place, crosswalk, map_data, province_crosswalk
from linkage.lists.headers import key

# Type words as written with diacritics, and the abbreviations; unaccented text is read by `fold`.
COMMUNE_TYPES = {"xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "dac khu": "đặc khu"}
COMMUNE_SHORT = {"x": "xã", "p": "phường", "tt": "thị trấn", "dk": "đặc khu"}
DISTRICT_TYPES = {"huyen": "huyện", "quan": "quận", "thi xa": "thị xã"}
DISTRICT_SHORT = {"h": "huyện", "q": "quận", "tx": "thị xã"}
CITY = ("thanh pho", "tp")  # a city: a district of 2025-01 or a province
PROVINCE_TYPES = ("tinh",)
VILLAGE = (
    "thon", "ap", "ban", "buon", "xom", "to dan pho", "tdp", "to", "khu pho", "kp", "khom", "khoi", "lang",
    "so nha", "so", "duong", "pho", "ngo", "hem", "kiet", "khu", "cum", "doi", "plei", "bon", "soc", "tieu khu",
)  # fmt: skip
COUNTRY = {"vietnam", "vn"}
ALIASES = {"hcm": "hochiminh", "tphcm": "hochiminh", "saigon": "hochiminh", "hn": "hanoi", "brvt": "bariavungtau"}
SPLIT = re.compile(r"[,;]|\s[-–—]+\s*|\s*[-–—]+\s")
_WORDS = "thi tran|thanh pho|thi xa|dac khu|phuong|huyen|quan|tinh|xa|tt|tx|tp|dk|p|x|h|q|t"
TYPED = re.compile(rf"^({_WORDS})(?:\.\s*|\s+)(.+)$")
TYPED_ACCENTED = re.compile(
    r"^(thị trấn|thành phố|thị xã|đặc khu|phường|huyện|quận|tỉnh|xã|tt|tx|tp|dk|p|x|h|q|t)(?:\.\s*|\s+)(.+)$"
)

RESOLVED, AMBIGUOUS, UNRESOLVED = "resolved", "ambiguous", "unresolved"


def core(text: str) -> str:
    """A unit's name without its type word, as a key (`Phường 01` → `1`)."""
    k = key(text)
    return k.lstrip("0") or k if k.isdigit() else k


@dataclass(frozen=True)
class Part:
    """One part of an address or one place column: its type (a level, or None) and its name's key."""

    text: str  # as written
    core: str
    level: str | None  # commune | district | province | city (district or province) | village | None
    kind: str | None = None  # the commune's or district's division type when the type word says it


@lru_cache(maxsize=65536)  # a list names the same districts and provinces on row after row
def read_part(text: str, level: str | None = None) -> Part:
    """A part of an address (`level` None) or a place column (`level` its field) as written: the type word
    (full or abbreviated, read with its diacritics when the text has any, so `Quan Sơn` is no `Quận`)
    and the name."""
    shown = unicodedata.normalize("NFC", text).strip()
    folded = fold(shown).strip(" .:")
    lowered = " ".join(shown.lower().split()).strip(" .:")
    match = TYPED_ACCENTED.match(lowered) if lowered != folded else TYPED.match(folded)
    if match:
        word, rest = fold(match.group(1)), fold(match.group(2))
        if len(word) > 1 or lowered[1:2] == ".":  # a single letter is a type word only with its dot: `X. Ea Tir`
            typed = _typed(word, rest)
            fits = level is None or typed is None or typed.level == level
            if typed is not None and (fits or (typed.level == "city" and level in ("district", "province"))):
                return Part(shown, typed.core, level or typed.level, typed.kind)
    villages = (v for v in VILLAGE if folded == v or folded.startswith((v + " ", v + ".")))
    if level is None and any(villages) and not _names_unit(core(folded)):  # `Buôn Hồ` is a town, `Buôn 3` no unit
        return Part(shown, core(folded), "village")
    return Part(shown, core(folded), level)


def _typed(word: str, rest: str) -> Part | None:
    name = core(rest)
    if not name:
        return None
    if word in COMMUNE_TYPES or word in COMMUNE_SHORT:
        return Part(rest, name, "commune", COMMUNE_TYPES.get(word) or COMMUNE_SHORT[word])
    if word in DISTRICT_TYPES or word in DISTRICT_SHORT:
        return Part(rest, name, "district", DISTRICT_TYPES.get(word) or DISTRICT_SHORT[word])
    if word in CITY:
        return Part(rest, name, "city", "thành phố")
    return Part(rest, name, "province")


@dataclass(frozen=True)
class Resolution:
    """Where a row is: `status`, its map, the commune's code (resolved) or the candidates (ambiguous)."""

    status: str
    map: str
    code: str | None = None
    candidates: tuple[Place, ...] = ()
    message: str = ""  # a message key under `lists.` with `params`
    params: tuple[tuple[str, str], ...] = ()
    column: str | None = None  # the field whose value could not be placed: `address`, `commune`, …

    @property
    def candidates_text(self) -> str:
        return "; ".join(f"{p.code} {p.name}" for p in self.candidates)


class _Index:
    """A map's units by the key of their name without type word."""

    def __init__(self, map_name: str):
        data = map_data(map_name)
        self.data = data
        self.communes: dict[str, list[Place]] = defaultdict(list)
        self.districts: dict[str, list[Place]] = defaultdict(list)
        self.provinces: dict[str, list[Place]] = defaultdict(list)
        for level, target in (("commune", self.communes), ("district", self.districts), ("province", self.provinces)):
            for place in data.level(level).values():
                target[core(_untyped(place.name, place.kind))].append(place)


def _untyped(name: str, kind: str) -> str:
    words = "Thành phố" if kind == "thành phố trung ương" else kind
    return name[len(words) :] if name.lower().startswith(words.lower()) else name


@cache
def _index(map_name: str) -> _Index:
    return _Index(map_name)


@dataclass
class _Upper:
    """A part naming a unit above the commune: the provinces and districts of the row's map it may be."""

    part: Part
    column: str
    provinces: set[str] = field(default_factory=set)
    districts: set[str] = field(default_factory=set)
    new_communes: set[str] = field(default_factory=set)  # an old district named on map 2025-07: its communes now

    @property
    def found(self) -> bool:
        return bool(self.provinces or self.districts or self.new_communes)

    def holds(self, place: Place) -> bool:
        return place.province in self.provinces or place.district in self.districts or place.code in self.new_communes


class Places:
    """Resolves rows on both maps; the maps' indexes are built once per process (about 0.1 s each).

    A resolution depends only on the row's place texts and the maps, which do not change while the
    process runs: the latest ones are kept, so a list read again (the app's page runs again on every
    click) finds its rows' communes at once."""

    def resolve(
        self,
        address: str = "",
        commune: str = "",
        district: str = "",
        province: str = "",
        map_name: str | None = None,
    ) -> Resolution:
        """The commune a row names (by an address text, or commune, district and province columns) on
        `map_name`, else on the map its names say: a row naming a district is on 2025-01, any other on 2025-07."""
        return _resolution(address, commune, district, province, map_name)

    def _read_row(self, address: str, commune: str, district: str, province: str, map_name: str | None) -> Resolution:
        parts = [read_part(p) for p in _split(address)] if address.strip() else []
        named: list[tuple[Part, str]] = [(p, "address") for p in parts if p.core and p.core not in COUNTRY]
        if commune.strip():
            inner = _split(commune)
            if len(inner) > 1:  # a whole address in the commune column
                named += [(read_part(p), "commune") for p in inner]
            else:
                part = read_part(commune, "commune")
                named.append((Part(part.text, part.core, "commune", part.kind), "commune"))
        if district.strip():
            named.append((read_part(district, "district"), "district"))
        if province.strip():
            named.append((read_part(province, "province"), "province"))
        named = [(p, c) for p, c in named if p.core]
        if not named:
            return Resolution(UNRESOLVED, map_name or NEW_MAP, message="no_place", column="address")
        if map_name is None and self._map_unclear(named):
            old, new = self._resolve(named, OLD_MAP), self._resolve(named, NEW_MAP)
            if old.status != UNRESOLVED and new.status != UNRESOLVED:
                return Resolution(AMBIGUOUS, NEW_MAP, message="map_unclear", column=named[0][1])
            return new if old.status == UNRESOLVED else old
        on = map_name or (OLD_MAP if self._names_district(named) else NEW_MAP)
        return self._resolve(named, on)

    @staticmethod
    def _map_unclear(named: list[tuple[Part, str]]) -> bool:
        """`Thành phố Bắc Ninh` alone: the provincial city of 2025-01 or the centrally run city of today."""
        _, uppers = _split_roles(named, _index(OLD_MAP))
        both = [p for p, _ in _cities(uppers) if p.level == "city" and _alias(p.core) in _index(OLD_MAP).districts]
        return bool(both)

    @staticmethod
    def _names_district(named: list[tuple[Part, str]]) -> bool:
        """Whether a row names a district: a district column or type word, or a part after the commune
        that is a district's name and no province's."""
        if any(p.level == "district" for p, _ in named):
            return True
        old = _index(OLD_MAP)
        _, uppers = _split_roles(named, old)
        return any(
            (p.level is None and _alias(p.core) in old.districts and not _any_province(p.core)) or p.level == "district"
            for p, _ in _cities(uppers)
        )

    def _resolve(self, named: list[tuple[Part, str]], on: str) -> Resolution:
        index = _index(on)
        target, uppers = _split_roles(named, index)
        if target is None:
            return Resolution(UNRESOLVED, on, message="no_commune_named", column=named[0][1])
        commune, column = target
        uppers = _cities(uppers)
        limits = [self._upper(p, c, on) for p, c in uppers]
        for limit in limits:
            if not limit.found:
                return Resolution(
                    UNRESOLVED,
                    on,
                    message="unknown_upper",
                    params=(("name", limit.part.text), ("map", on)),
                    column=limit.column,
                )
        named_so = index.communes.get(commune.core, [])
        if commune.kind:
            of_kind = [p for p in named_so if p.kind == commune.kind]
            named_so = of_kind or named_so  # `X. Tuy Phước` for a thị trấn: the type word narrows, never empties
        if not named_so:
            return Resolution(
                UNRESOLVED, on, message="unknown_commune", params=(("name", commune.text), ("map", on)), column=column
            )
        fits = [p for p in named_so if all(limit.holds(p) for limit in limits)]
        fits = self._narrow_by_type(fits, uppers, limits)
        fits = _narrow_by_accents(fits, commune)
        if len(fits) == 1:
            return Resolution(RESOLVED, on, fits[0].code)
        if fits:
            return Resolution(
                AMBIGUOUS,
                on,
                candidates=tuple(sorted(fits, key=lambda p: p.code)),
                message="ambiguous",
                params=(("name", commune.text), ("count", str(len(fits)))),
                column=column,
            )
        where = sorted({index.data.provinces[p.province].name for p in named_so})
        culprit = next((limit for limit in limits if not any(limit.holds(p) for p in named_so)), limits[-1])
        return Resolution(
            UNRESOLVED,
            on,
            message="not_in_upper",
            params=(("name", commune.text), ("upper", culprit.part.text), ("found", ", ".join(where[:5])), ("map", on)),
            column=culprit.column,
        )

    @staticmethod
    def _narrow_by_type(fits: list[Place], uppers: list[tuple[Part, str]], limits: list[_Upper]) -> list[Place]:
        """A district's type word (`Thị xã`, `Huyện`) tells apart two districts of one name (the town and the
        rural district around it): kept when it leaves at least one commune."""
        for (part, _), limit in zip(uppers, limits, strict=True):
            if part.kind and limit.districts:
                data = map_data(OLD_MAP).districts
                typed = [p for p in fits if p.district in limit.districts and data[p.district].kind == part.kind]
                if typed:
                    fits = typed
        return fits

    def _upper(self, part: Part, column: str, on: str) -> _Upper:
        found = _Upper(part, column)
        name = _alias(part.core)
        index = _index(on)
        if part.level in (None, "province", "city"):
            found.provinces |= {p.code for p in index.provinces.get(name, [])}
            if on == NEW_MAP:  # an old province named on today's map: the province it went into
                for old in _index(OLD_MAP).provinces.get(name, []):
                    found.provinces |= set(province_crosswalk().get(old.code, ()))
        if part.level in (None, "district", "city"):
            if on == OLD_MAP:
                found.districts |= {p.code for p in index.districts.get(name, [])}
            else:  # a district of 2025-01 named on today's map: the communes that took in its communes
                for district in _index(OLD_MAP).districts.get(name, []):
                    found.new_communes |= _district_now()[district.code]
        return found


def prepare() -> None:
    """Both maps' name indexes and what is read from them, built before a first list needs them (the
    app's start-up: the first officer to upload a list does not wait for them)."""
    for on in (OLD_MAP, NEW_MAP):
        _index(on)
    _dashed_communes()
    _district_now()


@lru_cache(maxsize=20_000)  # the rows of the latest lists read: a Resolution is frozen, shared safely
def _resolution(address: str, commune: str, district: str, province: str, map_name: str | None) -> Resolution:
    return Places()._read_row(address, commune, district, province, map_name)


def _accented(text: str) -> str:
    """A name as written, without type word, case, spacing or punctuation but with its diacritics."""
    lowered = unicodedata.normalize("NFC", text).lower()
    match = TYPED_ACCENTED.match(" ".join(lowered.split()))
    return "".join(ch for ch in (match.group(2) if match else lowered) if ch.isalnum())


def _narrow_by_accents(fits: list[Place], commune: Part) -> list[Place]:
    """`Sơn Hạ` written with its marks is not `Sơn Hà`: among communes whose names fold alike, the one
    written exactly is kept. Unaccented text (`son ha`) stays ambiguous."""
    if len(fits) < 2:
        return fits
    written = _accented(commune.text)
    if written == fold(written):
        return fits
    exact = [p for p in fits if _accented(_untyped(p.name, p.kind)) == written]
    return exact or fits


def _alias(name: str) -> str:
    return ALIASES.get(name, name)


def _split(text: str) -> list[str]:
    """The parts of an address; a name written with a dash (`Bà Rịa - Vũng Tàu`, `Phường Văn Miếu - Quốc
    Tử Giám`) stays one part."""
    parts = [p.strip() for p in SPLIT.split(text) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        joined = read_part(merged[-1]).core + core(part) if merged else ""
        if merged and read_part(part).level is None and (_names_upper(joined) or joined in _dashed_communes()):
            merged[-1] = f"{merged[-1]} - {part}"
        else:
            merged.append(part)
    return merged


@cache
def _names_upper(name: str) -> bool:
    return any(name in i.districts or name in i.provinces for i in map(_index, (OLD_MAP, NEW_MAP)))


@cache
def _dashed_communes() -> frozenset[str]:
    """The communes (of either map) whose own name has a dash, as keys: `Lang Biang - Đà Lạt` is one name."""
    return frozenset(k for i in map(_index, (OLD_MAP, NEW_MAP)) for k, places in i.communes.items()
                     if any("-" in p.name for p in places))  # fmt: skip


def _split_roles(
    named: list[tuple[Part, str]], index: _Index
) -> tuple[tuple[Part, str] | None, list[tuple[Part, str]]]:
    """The part naming the commune, and the parts after it that name units above it."""
    communes = [i for i, (p, _) in enumerate(named) if p.level == "commune"]
    if communes:
        at = communes[-1]
        return named[at], [(p, c) for p, c in named[at + 1 :] if p.level != "village"]
    # No part says it is a commune: the trailing parts that name a province or district are taken off.
    rest = [(p, c) for p, c in named if p.level != "village"]
    if not rest:
        return None, []
    end = len(rest)
    while end > 1:
        part = rest[end - 1][0]
        name = _alias(part.core)
        upper = part.level in ("district", "province", "city") or (
            part.level is None and (name in index.provinces or name in index.districts or _any_upper(name))
        )
        if not upper:
            break
        end -= 1
    return rest[end - 1], rest[end:]


@cache
def _district_now() -> dict[str, set[str]]:
    """Each district of 2025-01 → the communes of 2025-07 that took in any of its communes."""
    cw = crosswalk()
    found: dict[str, set[str]] = defaultdict(set)
    for code, place in map_data(OLD_MAP).communes.items():
        found[place.district] |= set(cw.old_to_new.get(code, ()))
    return found


@cache
def _names_unit(name: str) -> bool:
    """Whether a name is a unit's (without type word) on either map."""
    return any(
        name in i.communes or name in i.districts or name in i.provinces for i in map(_index, (OLD_MAP, NEW_MAP))
    )


def _cities(uppers: list[tuple[Part, str]]) -> list[tuple[Part, str]]:
    """A `Thành phố X` part read as the district it is on 2025-01 when X is a city inside a province
    (`TP Thanh Hóa`) or when a province is named after it (`Thành phố Bắc Ninh, Tỉnh Bắc Ninh`)."""
    found = []
    for i, (part, column) in enumerate(uppers):
        later = [p for p, _ in uppers[i + 1 :] if p.level in ("province", "city") or _any_province(p.core)]
        if part.level == "city" and (_city_is_district(part.core) or later):
            part = Part(part.text, part.core, "district", part.kind)
        found.append((part, column))
    return found


@cache
def _city_is_district(name: str) -> bool:
    """Whether `Thành phố X` is a city of 2025-01 inside a province (`TP Thanh Hóa`), not a centrally
    run city (`TP Hà Nội`): the provinces named X are all `Tỉnh`."""
    cities = [p for p in _index(OLD_MAP).districts.get(_alias(name), []) if p.kind == "thành phố"]
    central = [p for m in (OLD_MAP, NEW_MAP) for p in _index(m).provinces.get(_alias(name), []) if p.kind != "tỉnh"]
    return bool(cities) and not central


@cache
def _any_province(name: str) -> bool:
    return any(_alias(name) in _index(m).provinces for m in (OLD_MAP, NEW_MAP))


@cache
def _any_upper(name: str) -> bool:
    """Whether a name is a province or district on either map (an old province on today's map)."""
    return any(name in _index(m).provinces or name in _index(m).districts for m in (OLD_MAP, NEW_MAP))


def candidates_text(places: Iterable[Place]) -> str:
    return "; ".join(f"{p.code} {p.name}" for p in places)
