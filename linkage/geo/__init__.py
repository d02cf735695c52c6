"""The two maps of the country (docs/exchange-files.md, "Two maps").

- `units`: the words, with no data behind them: map names and levels, `Unit` (map, level and code
  together: a code does not say its map), `Place`, `MapData`, the shape of the `Crosswalk`.
- `maps`: the only reader of `vietnam-provinces==2026.9.0` (`legacy` = map `2025-01`, the top level
  = map `2025-07`, the private `_ward_conversion_2025` = the crosswalk): `map_of(date)`,
  `map_data(map)`, `crosswalk()` (the 28 communes the table lacks get their old district's new
  communes; the two slips corrected; island zones), `place`/`placed_in`/`placements` (the smallest
  unit holding every candidate), `agrees` (the two location columns), `lookup(map, code)` (what a
  stored code names on a named map, never from its length), and the same units and placements as
  columns for counting (`unit_columns`, `placement_columns`).
- `snapshot`: all of that kept in the user's cache directory (`LINKAGE_CACHE_DIR`, else
  `$XDG_CACHE_HOME/linkage-tracker`), named after the package's version and a digest of the modules
  that build it; built again when absent or unreadable.
- `geography`: the units of both maps as `linkage init` stores them, map `2025-01` as DataFrames for
  counting, code normalisation and `fold` (no diacritics, for search).
- `places`, `locations`: communes named with their district and province for forms; today's commune
  first, the commune before the reform only for a record that began before it.
- `unit_search`: a unit of either map by name (folded) or code, every result a `Unit`.
- `points`: where each unit of both maps is drawn (`point(unit)`, `points(map, level)`), read from
  `data/geo/points.csv`, derived once from `vietnamadminunits` (`derive`); each derived point says how.
"""
