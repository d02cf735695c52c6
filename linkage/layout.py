"""Where each node of a linkage graph starts on the screen, so the browser only polishes a layout.

vis-network lays a graph out by simulating forces from random starting points: on a district of
1,500 nodes that took 200 iterations of about 17 ms each, plus a second or so of its "improved"
start, before anything stood still. Here each connected group (a chain with its parties, a
cooperative with its members) starts already drawn: its busiest node in the middle and the others
on rings by their distance from it, the groups packed in rows, the largest first. A few dozen
iterations then settle it. Linear in the nodes and edges; no randomness, so a graph drawn twice
looks the same.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable

import networkx as nx

GAP = 60.0  # the least distance between neighbours on a ring, in vis-network's units
RING = 110.0  # the distance between two rings of one group


def _rings(graph: nx.Graph, hub: Hashable) -> list[list[Hashable]]:
    """The group's nodes by their distance from `hub`, each ring in the order it was reached."""
    rings = [[hub]]
    seen = {hub}
    while True:
        ring = []
        for node in rings[-1]:
            for other in sorted(graph[node], key=str):
                if other not in seen:
                    seen.add(other)
                    ring.append(other)
        if not ring:
            return rings
        rings.append(ring)


def _group(graph: nx.Graph, nodes: set[Hashable]) -> tuple[dict[Hashable, tuple[float, float]], float]:
    """Positions of one group around (0, 0), and the radius it takes."""
    hub = max(nodes, key=lambda n: (graph.degree(n), str(n)))
    placed: dict[Hashable, tuple[float, float]] = {}
    radius = 0.0
    for depth, ring in enumerate(_rings(graph, hub)):
        if depth == 0:
            placed[hub] = (0.0, 0.0)
            continue
        radius = max(radius + RING, len(ring) * GAP / (2 * math.pi))
        for i, node in enumerate(ring):
            angle = 2 * math.pi * i / len(ring) + depth * 0.5  # turned a little per ring: fewer lines on lines
            placed[node] = (radius * math.cos(angle), radius * math.sin(angle))
    return placed, radius + GAP


def starting_positions(
    nodes: Iterable[Hashable], edges: Iterable[tuple[Hashable, Hashable]]
) -> dict[Hashable, tuple[float, float]]:
    """A starting point for every node: groups drawn as rings, packed in rows about as wide as tall."""
    plain = nx.Graph()
    plain.add_nodes_from(nodes)
    plain.add_edges_from(edges)
    groups = sorted((set(c) for c in nx.connected_components(plain)), key=lambda c: (-len(c), min(map(str, c))))
    drawn = [_group(plain, nodes) for nodes in groups]
    width = math.sqrt(sum((2 * r) ** 2 for _, r in drawn)) * 1.2
    positions: dict[Hashable, tuple[float, float]] = {}
    x = y = row = 0.0
    for placed, r in drawn:
        if x and x + 2 * r > width:  # a new row below the tallest group of this one
            x, y, row = 0.0, y + row, 0.0
        for node, (px, py) in placed.items():
            positions[node] = (x + r + px, y + r + py)
        x += 2 * r
        row = max(row, 2 * r)
    return positions
