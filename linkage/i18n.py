"""The message catalog: every user-facing text by key, in Vietnamese and English.

Messages live in `data/i18n/<lang>.toml` with `{name}` placeholders; code keeps keys and
parameters, so an import problem raised in the domain layer can be shown in either language.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from types import MappingProxyType

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
CATALOG_DIR = Path(__file__).resolve().parent.parent / "data" / "i18n"


@cache
def catalog(lang: str) -> dict[str, str]:
    path = CATALOG_DIR / f"{lang}.toml"
    return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The message `key` in `lang` (falling back to English, then to the key itself)."""
    template = catalog(lang).get(key) or catalog("en").get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def sentence(text: str) -> str:
    """A message shown on its own, as a sentence: its first letter a capital. Catalog texts that go
    after a file, row and column (`dòng 3, cột Tên: mã "A|B" …`) start in lower case; alone on a
    screen they must not.

    >>> sentence("không có người dùng \"lan\""), sentence("Đã lưu."), sentence("")
    ('Không có người dùng "lan"', 'Đã lưu.', '')
    """
    return text[:1].upper() + text[1:]


@cache
def section(name: str, lang: str) -> Mapping[str, str]:
    """Every message under `name.` in `lang` (English where a text is missing), by its short key: read
    once per process (a graph page asks for its section several times, each a pass over the catalog)."""
    prefix = f"{name}."
    english = {k.removeprefix(prefix): v for k, v in catalog("en").items() if k.startswith(prefix)}
    own = {k.removeprefix(prefix): v for k, v in catalog(lang).items() if k.startswith(prefix)}
    return MappingProxyType({**english, **own})


WORDED = {"role": "role", "entity": "entity", "other": "entity", "target": "entity"}  # parameter -> catalog section


def localized(params: dict[str, object], lang: str) -> dict[str, object]:
    """Message parameters as a reader of `lang` should see them: roles and kinds of record in words
    (`officer` → "district officer", `cooperatives` → "Hợp tác xã"), everything else as given."""
    out = dict(params)
    for name, section in WORDED.items():
        value = out.get(name)
        if isinstance(value, str):
            out[name] = catalog(lang).get(f"{section}.{value}") or catalog("en").get(f"{section}.{value}") or value
    return out


def field_label(column: str, lang: str) -> str:
    """A column's name as forms show it (`members` → "Số thành viên"), or the column itself."""
    return catalog(lang).get(f"field.{column}") or catalog("en").get(f"field.{column}") or column


ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def day_text(value: object) -> str:
    """An ISO date (`2025-03-01`) as people here write it, DD/MM/YYYY; anything else as it is.
    The importer reads both forms, so a form can show this and save it back."""
    text = "" if value is None else str(value)
    match = ISO_DAY.match(text)
    return f"{match.group(3)}/{match.group(2)}/{match.group(1)}" if match else text


VIETNAM_TIME = timezone(timedelta(hours=7), "UTC+7")  # Indochina Time, no daylight saving


def vietnam_time(moment: datetime) -> str:
    """A stored moment (UTC; SQLite gives it back without a zone) on Vietnam's clock, saying so:
    `datetime(2025, 3, 5, 17, 30, tzinfo=UTC)` → `06/03/2025 00:30 (UTC+7)`."""
    return (
        f"{(moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(VIETNAM_TIME):%d/%m/%Y %H:%M} (UTC+7)"
    )
