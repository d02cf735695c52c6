"""The three indicators of Decision 924 (docs/indicators.md).

- `facts`: what the indicators read, a few compact frames with dates as ordinals, and the one live
  read of them in plain SQL through the driver (`read_facts`), used by `linkage coverage` inside
  `driver.reading` and by the app inside a session.
- `lifespan`: "in force on a date", once: the start day counts, the end day does not, missing bounds
  are open; as SQL (`Lifespan.condition`) for graphs and as a mask over frames for counting.
- `indicators`: the counting, which reads nothing: `compute(facts, date, levels, map)` over every unit
  of a map at once, each record placed on the map; `reported_levels`, `trend` (each date on the map
  then in force, or every date on today's map), gaps and candidates.
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
