"""Where records live: the tables (`models`), the database's URL rules and read-only snapshots through
the driver alone (`driver`), engines, sessions and the write transaction (`db`), the SQLite backup
(`backup`) and the Alembic revisions (`migrations/`). Knows no map and no rule of the programme."""
