"""Linkage graphs of one unit on one date.

- `graph`: the networkx graph of a unit (a `maps.Unit` of either map; refused outside the actor's
  scope): every record placed in the unit on its map, read set-based into frames (`graph_data`) and
  assembled without I/O (`assemble`); the flow view and the analytics (buyer dependence, single
  buyer, no digital technology, chains, who is in no linkage: `unlinked`).
- `graph_view`: the graph page's address (`map`, `unit`, `as_of`, filters, `pick`), read, checked
  and written back; the units listed before a search; who may open a unit of either map.
- `overview`: a province at a glance, a pure function over frames: its clusters (districts on
  `2025-01`, communes on `2025-07`) sized by active linkages and coloured by their digital share,
  linkages spanning clusters, buyers shared by clusters.
- `layout`: where each node stands (rings around each group's busiest node, groups packed in rows):
  vis-network draws it there, physics off.
- `drawing`: the one offline HTML template, every user text escaped; the legend, `drawable` (thin
  out who is in no linkage, then cap with a message), `graph_html`, `graph_title`. Texts come from
  the `[graph]` section of the catalogs.
- `overview_drawing`: a province's overview in that template.
- `ground`: the graph on the ground (`linkage graph --layout map`, the page's "On the map"): each
  record at its commune's point, spread on a fixed spiral, linkages between their placing parties, physics off.
- `assets`: vis-network from the copy inside pyvis, inlined in a graph file or published into
  `static/` for the app (`publish_assets`).
- `graph_file`: `linkage graph`, the one writer here that reads the database.
"""
