"""Who acts: the value every domain function that reads or writes user data receives.

A module of its own with no dependencies, so permissions, history, records and the import service
can all name the actor without importing the accounts module (which writes to the history).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is acting, as every domain function that reads or writes user data receives it."""

    username: str
    role: str
    unit_code: str | None = None  # planner: VN or a province; officer: a district (or commune/province of 2025-07)
    cooperative_code: str | None = None
    unit_map: str = "2025-01"  # the map `unit_code` is read on (docs/exchange-files.md): a code does not say its map

    @property
    def counts_as_verified(self) -> bool:
        """Officers', admins' and the command line's changes need no further check."""
        return self.role in ("admin", "officer")


SYSTEM = Actor("system", "admin")  # the command line, run by whoever holds the database
