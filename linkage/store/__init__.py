"""Where records live; knows no map and no rule of the programme.

- `models`: SQLModel tables keyed by the codes users use (GSO codes zero-padded); every user record
  has `created_at`, `updated_at`, `archived_at` (archive, never delete) and `version`. Geography of
  both maps: `province`/`district`/`commune` (`2025-01`), `province_2025_07`/`commune_2025_07`;
  located records carry `commune_code` and/or `commune_code_2025_07`.
- `driver`: the URL rules (`--db`, then `LINKAGE_DATABASE_URL`, then the embedded SQLite file in
  `~/.local/share/linkage-tracker/`; `shown_url` hides a password), the migration this code knows and
  a database's, and `reading`: a read-only snapshot through `sqlite3` or `psycopg` alone (what
  `linkage coverage` uses instead of SQLAlchemy), refused in one line when the database will not do.
- `db`: an engine per URL; SQLite with WAL, foreign keys, a busy timeout and `BEGIN IMMEDIATE` for
  writes; `write_session` (one transaction that bumps the data version and records under it the
  records the writer named, `touch`), `read_session`, `driver_connection`, `migrate`, `chunked`.
- `backup`: `linkage backup` / `restore` of the embedded SQLite file.
- `migrations/`: Alembic; `0001` is the first schema, `0004` adds map `2025-07` beside `2025-01`,
  `0006` gives accounts the map of their unit, `0007` the records each data version changed, `0008`
  the partial indexes of the live read. On SQLite revisions run with foreign keys off and are
  checked before the commit.
"""
