"""People and their offices.

- `users`: accounts, roles and scopes (a scope is a unit on a named map; what each role may hold is
  `permissions.SCOPE_LEVELS`), argon2id hashes, login throttling and locking per user name (also for
  names with no account), `current_actor` (the account as stored now, None once disabled),
  `change_password`, `set_role`, `set_disabled`; every change logged through `history.log`.
- `sessions`: sign-ins kept across reloads and tabs for a working day: a random token per browser,
  only its SHA-256 stored; it holds while unexpired, not signed out, its account enabled and its
  password unchanged; `hand_over`/`redeem` trade a one-time code for the cookie.
- `identity`: accounts reached through the office's OpenID Connect provider (subject first, then a
  verified e-mail; disabled or unknown → nobody).
- `offices`: the office behind a role and scope in today's words (catalogs' `[office]`).
- `demo_accounts`: one demonstration account per role, and two of today's map, units chosen by
  placement.
"""
