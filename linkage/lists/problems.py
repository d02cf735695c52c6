"""A list refused as a whole (no header, a column two fields claim, a required field no column
gives, a list of another kind): one plain line naming file, row and column, worded where shown."""

from __future__ import annotations

from linkage.exchange.problems import where
from linkage.i18n import localized, t


class ListRefused(Exception):
    """The list cannot be read as asked; nothing was written. The message is `lists.<code>`."""

    def __init__(self, file: str, row: int | None, column: str | None, code: str, /, **params: object):
        super().__init__(code)
        self.file, self.row, self.column, self.code, self.params = file, row, column, code, params

    def where(self, lang: str = "en") -> str:
        return where(self.file, self.row, self.column, lang)

    def message(self, lang: str = "en") -> str:
        return t(f"lists.{self.code}", lang, **localized(self.params, lang))

    def line(self, lang: str = "en") -> str:
        return f"{self.where(lang)}: {self.message(lang)}"

    def __str__(self) -> str:
        return self.line("en")
