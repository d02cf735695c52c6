"""What can be wrong with an exchange file, as values the CLI and the app both show.

A problem keeps a message key and its parameters, so it is worded in the user's language
where it is shown; `str()` gives the one-line English form the command line prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linkage.i18n import field_label, localized, t


def where(file: str, row: int | None, column: str | None, lang: str = "en") -> str:
    """File, row and column as every refusal names them (`data.xlsx, row 4, column name`)."""
    parts = [file]
    if row is not None:
        parts.append(t("import.where_row", lang, row=row))
    if column:
        parts.append(t("import.where_column", lang, column=column))
    return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    file: str  # file name as the user gave it, e.g. `producers.csv` or `data.xlsx[producers]`
    row: int | None  # as a spreadsheet numbers it: header = 1
    column: str | None
    code: str  # message key under `import.` in the catalog
    params: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str = "en", labels: bool = False) -> str:
        """In `lang`; with `labels`, columns by their form labels (a form, not a file, was filled in)."""
        params = localized(self.params, lang)
        if labels and isinstance(params.get("column"), str):
            params["column"] = field_label(str(params["column"]), lang)
        return t(f"import.{self.code}", lang, **params)

    def where(self, lang: str = "en") -> str:
        return where(self.file, self.row, self.column, lang)

    def line(self, lang: str = "en") -> str:
        return f"{self.where(lang)}: {self.message(lang)}"

    def __str__(self) -> str:
        return self.line("en")


class ImportRefused(Exception):
    """An import that wrote nothing because of `problems`."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
