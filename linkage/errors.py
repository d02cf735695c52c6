"""The errors a user can meet, as values with a message key: worded where they are shown.

`Refused` is the one error type for an action outside the actor's rights; the others say why an
otherwise allowed action could not be done. Tracebacks are for bugs only.
"""

from __future__ import annotations

from collections.abc import Mapping

from linkage.i18n import field_label, localized, t


class UserFacingError(Exception):
    """Base: a message key under `errors.` and its parameters."""

    def __init__(self, key: str, /, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str = "en") -> str:
        return t(f"errors.{self.key}", lang, **localized(self.params, lang))

    def __str__(self) -> str:
        return self.message("en")


class DatabaseProblem(Exception):
    """The database cannot be used (a wrong URL, not migrated, unreachable): one plain sentence naming it."""


class Refused(UserFacingError):
    """The actor may not do this (role or scope)."""


class LoginRefused(UserFacingError):
    """Wrong credentials, a disabled account, or too many failed attempts."""


class StaleEdit(UserFacingError):
    """Someone else saved the record after it was read; `changed` says which fields and how."""

    def __init__(self, key: str, changed: Mapping[str, tuple[object, object]], /, **params: object):
        super().__init__(key, **params)
        self.changed = dict(changed)

    def message(self, lang: str = "en") -> str:
        """Names what someone else changed, field by field, in the reader's words."""
        if self.changed:
            fields = "; ".join(
                f"{field_label(f, lang)}: {old or '—'} → {new or '—'}" for f, (old, new) in self.changed.items()
            )
            return t(f"errors.{self.key}", lang, **localized({**self.params, "fields": fields}, lang))
        return super().message(lang)


class Invalid(UserFacingError):
    """Values that break a rule; `problems` carries each one (file/row/column are form fields here)."""

    def __init__(self, problems: list[object]):
        super().__init__("invalid", count=len(problems))
        self.problems = problems


class NotFound(UserFacingError):
    """No such record, user or unit."""


class BackupRefused(UserFacingError):
    """A backup or restore that cannot be done as asked (wrong database kind, unusable file)."""


class InUse(UserFacingError):
    """Archiving or restoring would leave a record pointing to one that is out of use."""
