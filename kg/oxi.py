"""Conversion between rdflib terms (the graph model) and pyoxigraph terms (the fast engine)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node


def to_ox(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph")


def from_ox(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"cannot convert {term!r} to rdflib")


def to_oxigraph_triples(g: Iterable) -> Iterator:
    for s, p, o in g:
        yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))


def to_rdflib_graph(triples: Iterable, graph: Graph | None = None) -> Graph:
    g = graph if graph is not None else Graph()
    for t in triples:
        g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return g
