"""Where a drawing places its nodes (`linkage.graphs.layout`): every node placed, groups apart, the same twice."""

from __future__ import annotations

import math
from itertools import combinations

import networkx as nx

from linkage.graphs.layout import GAP, positions


def _groups() -> nx.Graph:
    graph = nx.Graph()
    # A chain: a linkage with a cooperative, a buyer and an area; the cooperative has 30 members.
    graph.add_edges_from([("L1", "C1"), ("L1", "B1"), ("L1", "A1")])
    graph.add_edges_from(("C1", f"P{i}") for i in range(30))
    # Two linkages sharing one buyer, and three records in no linkage.
    graph.add_edges_from([("L2", "B2"), ("L3", "B2"), ("L2", "C2"), ("L3", "C3")])
    graph.add_nodes_from(["A7", "A8", "A9"])
    return graph


def _placed(graph: nx.Graph) -> dict[object, tuple[float, float]]:
    return positions(graph.nodes, graph.edges)


def test_every_node_has_a_point_and_no_two_share_one() -> None:
    graph = _groups()
    points = _placed(graph)
    assert set(points) == set(graph.nodes)
    for a, b in combinations(points.values(), 2):
        assert math.dist(a, b) >= GAP / 2


def test_groups_do_not_overlap() -> None:
    graph = _groups()
    points = _placed(graph)
    boxes = []
    for group in nx.connected_components(graph):
        xs = [points[n][0] for n in group]
        ys = [points[n][1] for n in group]
        boxes.append((min(xs), max(xs), min(ys), max(ys)))
    for (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) in combinations(boxes, 2):
        assert ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0, "two groups drawn on top of each other"


def test_the_busiest_node_of_a_group_is_in_its_middle_and_neighbours_are_near() -> None:
    points = _placed(_groups())
    ring = [f"P{i}" for i in range(30)] + ["L1"]  # the cooperative's 31 neighbours
    distances = [math.dist(points["C1"], points[n]) for n in ring]
    assert max(distances) - min(distances) < 1e-6  # all on one ring around it
    assert math.dist(points["C1"], points["B1"]) > max(distances)  # the linkage's buyer one ring further


def test_a_node_s_neighbours_further_out_lie_within_its_slice() -> None:
    points = _placed(_groups())
    centre = points["C1"]

    def angle(node: str) -> float:
        return math.atan2(points[node][1] - centre[1], points[node][0] - centre[0])

    # B1 and A1 hang from L1: they sit at L1's bearing from the cooperative, not across the circle
    for child in ("B1", "A1"):
        turn = abs((angle(child) - angle("L1") + math.pi) % (2 * math.pi) - math.pi)
        assert turn < 2 * math.pi / 31


def test_the_same_graph_starts_the_same_way_whatever_the_order() -> None:
    graph = _groups()
    shuffled = nx.Graph()
    shuffled.add_nodes_from(reversed(list(graph.nodes)))
    shuffled.add_edges_from(reversed(list(graph.edges)))
    assert _placed(graph) == _placed(shuffled)
