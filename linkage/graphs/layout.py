"""Where each node of a linkage graph stands on the screen: the browser draws it there, physics off.

vis-network lays a graph out by simulating forces from random starting points: on a district's
graph that took hundreds of iterations, plus its "improved" start, before anything stood still
(docs/benchmarks.md, "Measured while choosing the design"). Here each connected group (a chain with its parties, a
cooperative with its members) starts already drawn as a radial tree: its busiest node in the
middle, the others on rings by their distance from it, each within its parent's slice of the
circle, so the tree's lines do not cross; the groups packed in rows, the largest first. Linear in the
nodes and edges; no randomness, so a graph drawn twice looks the same.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable

import networkx as nx

GAP = 60.0  # the least distance between neighbours on a ring, in vis-network's units
RING = 110.0  # the distance between two rings of one group


def _tree(graph: nx.Graph, hub: Hashable) -> tuple[dict[Hashable, list[Hashable]], dict[Hashable, int]]:
    """A breadth-first tree of the group from `hub`: each node's children (in code order) and depth."""
    children: dict[Hashable, list[Hashable]] = {hub: []}
    depth = {hub: 0}
    ring = [hub]
    while ring:
        following = []
        for node in ring:
            for other in sorted(graph[node], key=str):
                if other not in depth:
                    depth[other] = depth[node] + 1
                    children[node].append(other)
                    children[other] = []
                    following.append(other)
        ring = following
    return children, depth


def _group(graph: nx.Graph, nodes: set[Hashable]) -> tuple[dict[Hashable, tuple[float, float]], float]:
    """Positions of one group around (0, 0), and the radius it takes: a radial tree, the busiest node
    in the middle and each node's neighbours further out within its own slice of the circle, so the
    lines of the tree do not cross."""
    hub = max(nodes, key=lambda n: (graph.degree(n), str(n)))
    children, depth = _tree(graph, hub)
    leaves: dict[Hashable, int] = {}
    for node in sorted(depth, key=lambda n: -depth[n]):  # the deepest first
        leaves[node] = max(1, sum(leaves[c] for c in children[node]))
    per_depth = Counter(depth.values())
    radii = [0.0]
    for d in range(1, max(per_depth) + 1):
        radii.append(max(radii[-1] + RING, per_depth[d] * GAP / (2 * math.pi)))
    placed: dict[Hashable, tuple[float, float]] = {hub: (0.0, 0.0)}
    slices = [(hub, 0.0, 2 * math.pi)]
    while slices:
        node, start, width = slices.pop()
        for child in children[node]:
            share = width * leaves[child] / leaves[node]
            angle = start + share / 2
            radius = radii[depth[child]]
            placed[child] = (radius * math.cos(angle), radius * math.sin(angle))
            slices.append((child, start, share))
            start += share
    return placed, radii[-1] + GAP


def positions(
    nodes: Iterable[Hashable], edges: Iterable[tuple[Hashable, Hashable]]
) -> dict[Hashable, tuple[float, float]]:
    """A point for every node: groups drawn as rings, packed in rows about as wide as tall."""
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
