"""Who may do what with a record, and the one write path.

- `permissions`: every question of a role, and where a record lies on a map (`Locator`,
  `placement`: its commune there, else where the crosswalk places its commune of the other map). A
  scope is a unit on the actor's map (`scope_unit`, the levels of each role in `SCOPE_LEVELS`); a
  write must be in scope as stored *and* as it will be; an officer may settle a record placed above
  the commune when one of its candidate communes is in scope (`settles`); a cooperative changes an
  area only if every linkage naming it is its own. Also who verifies (`verifies`, `verifying_unit`),
  which pages a role opens (`PAGE_ROLES`, `pages_for`, `may_open`), the units an actor starts on.
- `history`: the append-only change log (triggers refuse UPDATE and DELETE) and reviews: a
  cooperative's change is reported and verified or sent back by the officers of its place (its
  commune's on today's map, else its province's, else its old district's); queues are paged queries.
- `importing`: the import service, the one write path of files and forms (validate → plan →
  permissions → versions → write → history), all or nothing; `exporting`: the records an actor may
  read, as exchange files.
- `forms`: one record at a time (`read`, `save` with the version it was read at, `archive`,
  `restore`, `start_linkage`); `unplaced` and `settling`: the records a split commune leaves above
  the commune, and the one choice that places one exactly; `catalog`: `linkage init`.
"""
