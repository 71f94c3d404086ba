"""SHACL validation of a graph against ontologies/shapes.ttl (the output contract)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from .vocab import ontology, resource_path


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    report: str
    violations: int


def shapes() -> Graph:
    g = Graph()
    with resource_path("kg.ontologies", "shapes.ttl").open("rb") as f:
        g.parse(f, format="turtle")
    return g


def validate(g: Graph) -> ValidationResult:
    """Validate ``g`` with the vocabulary mixed in (so domain, symmetry and classes are known)."""
    from pyshacl import validate as shacl_validate

    conforms, report_graph, text = shacl_validate(
        g, shacl_graph=shapes(), ont_graph=ontology(), inference="none", advanced=True, allow_warnings=False
    )
    from rdflib.namespace import SH

    violations = len(set(report_graph.subjects(predicate=SH.resultSeverity)))
    return ValidationResult(bool(conforms), text, violations)


def validate_store(store) -> ValidationResult:
    """Validate the union of the graphs of a pyoxigraph store (see ``kg.store.open_dataset``)."""
    from .oxi import restored_triples, to_rdflib_graph

    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    return validate(to_rdflib_graph(restored_triples(triples)))
