"""The two maps of the country: the January 2025 three-tier map and the two-tier map in force since
1 July 2025, the official crosswalk between them and where a record given on one map lies on the other
(`maps`), the units as stored (`geography`), communes named for forms (`places`, `locations`) and the
search of units by name (`unit_search`). The rules are in docs/exchange-files.md ("Two maps")."""
