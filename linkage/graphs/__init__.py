"""Linkage graphs of one unit on one date: the networkx graph and its analytics (`graph`), a graph
page's address (`graph_view`), a province at a glance (`overview`), where nodes start (`layout`) and
the offline HTML drawing, every user text escaped (`render`)."""
