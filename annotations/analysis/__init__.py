"""Discourse networks from stance tallies: plain Python (numpy, scipy, networkx), no Django.

`network` turns the lead's SQL aggregates (`NodeInfo`, `Tally`) into a `Graph` with the
Discourse Network Analyzer's semantics; `exports` writes a `Graph` as the API's JSON dict,
GraphML, GEXF 1.3 or CSV. Links (node pages, evidence lists) are built by the caller and
passed in as callables, so nothing here knows about URLs.
"""
