"""The three indicators of Decision 924 (docs/indicators.md).

- `rules`: the three rules, the one place they are counted: plain rows in (`Inputs`), every unit of a
  map at once out (`rows`), each record placed on the map (`place_all`); no pandas.
- `live`: the SQL of the live records, and their read as plain rows (`read_inputs`) for `linkage
  coverage`, which so loads neither SQLAlchemy nor pandas; `printed`: what it prints (CSV, JSON).
- `facts`: the same live records read once into compact frames (`read_facts`), the app's cache of them.
- `lifespan`: "in force on a date", once: the start day counts, the end day does not, missing bounds
  are open; as SQL (`Lifespan.condition`) for graphs, as a mask over frames, and over plain ordinals.
- `indicators`: the tables, which read nothing: `compute(facts, date, levels, map)` hands the facts to
  the rules as plain rows (`inputs_of`); `reported_levels`, `trend` (each date on the map then in
  force, or every date on today's map), gaps and candidates.
- `coverage`: the app's figures: facts cached per database and data version (`FACTS`), caught up
  after a write by reading again only the records it named (`patched`), or as officers last verified
  them; what a server counts before it answers (`warm`: today's figures and the trends); downloads.
  `coverage_view`: what a coverage page opens for a unit of either map (its
  counterpart on the other map through the crosswalk, the units below, one unit's trend).
- `charts`: Altair charts, the reform of 1 July 2025 marked on every trend; each compiled once per
  shape to a Vega-Lite specification, a page's rows put beside it (`with_rows`).
- `coverage_map`: the places a coverage map draws for a unit, date, map and indicator, each with the
  status the rows give it; `map_chart`: that map as an Altair chart (compiled as `charts`), and as
  SVG or PNG (`picture`).
"""
