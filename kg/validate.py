"""SHACL validation of a graph against ontologies/shapes.ttl (the output contract).

Two engines give the same report (pyshacl's text: its header, then one block per result in
sorted order):

- pyshacl, the reference, on an rdflib graph with the vocabulary mixed in; minutes past ~100k
  triples (12 min at 100k).
- the same shapes compiled to SPARQL and run by pyoxigraph (``validate_sparql``), for graphs
  above ``SPARQL_ABOVE`` triples. It implements the SHACL Core parts the shapes use (targets by
  class, with subclasses, and by objects of a property; node kind; property shapes on a
  predicate path with min/max count, datatype, class, node kind, min/max inclusive, in; sh:message)
  and SHACL-SPARQL constraints, and refuses shapes that use anything else. Lexical forms are not
  checked for well-formedness beyond the sign of xsd:nonNegativeInteger (pyshacl checks them).

pyoxigraph's store keeps literals by value (see ``kg.oxi``): the datatype checks see values as
the builder wrote them, as ``kg.oxi.restore_literal`` gives them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from .errors import KGError
from .vocab import ontology, resource_path

SPARQL_ABOVE = 10_000  # triples: pyshacl up to this size, SPARQL in pyoxigraph above


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
    """Validate ``g`` with pyshacl, the vocabulary mixed in (so domain, symmetry and classes are known)."""
    from pyshacl import validate as shacl_validate

    conforms, report_graph, text = shacl_validate(
        g, shacl_graph=shapes(), ont_graph=ontology(), inference="none", advanced=True, allow_warnings=False
    )
    violations = len(set(report_graph.subjects(predicate=SH.resultSeverity)))
    return ValidationResult(bool(conforms), text, violations)


def validate_store(store: ox.Store, *, engine: str = "auto", owned: bool = False) -> ValidationResult:
    """Validate the union of the graphs of a pyoxigraph store (see ``kg.store.open_dataset``):
    with pyshacl up to ``SPARQL_ABOVE`` triples (``engine`` "auto"), else with SPARQL in
    pyoxigraph; ``engine`` "pyshacl" or "sparql" forces one. ``owned``: the store is the
    caller's to spend (the SPARQL engine then adds the vocabulary to it instead of copying)."""
    if engine == "pyshacl" or (engine == "auto" and len(store) <= SPARQL_ABOVE):
        from .oxi import restored_triples, to_rdflib_graph, union_triples

        triples = union_triples(store)
        return validate(to_rdflib_graph(restored_triples(triples)))
    return validate_sparql(store, owned=owned)


# ---------------------------------------------------------------- SHACL as SPARQL


class UnsupportedShape(KGError):
    """A shape uses SHACL the SPARQL engine does not implement."""


_XSD_INTEGER = str(XSD.integer)
_HANDLED = {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.minInclusive,
            SH.maxInclusive, SH["in"], SH.message}
_NODE_HANDLED = {RDF.type, SH.targetClass, SH.targetObjectsOf, SH.nodeKind, SH.property, SH.sparql, SH.message}


@dataclass(frozen=True)
class _Check:
    """One SPARQL query whose solutions are results: ?this (focus node), maybe ?value."""

    component: str
    shape: object  # the source shape node in the shapes graph
    query: str
    path: URIRef | None = None
    message: str | None = None  # fixed message; None: the component's generic one
    constraint: object = None  # the sh:sparql node, for SPARQL constraints
    prefixes: dict | None = None


def _n3(term) -> str:
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, URIRef):
        return f"<{term}>"
    raise UnsupportedShape(f"shapes.ttl: cannot use {term!r} in a SPARQL check")


def _subclasses(onto: Graph, cls) -> list:
    return sorted(set(onto.transitive_subjects(RDFS.subClassOf, cls)))


def _focus(sg: Graph, onto: Graph, shape) -> str:
    parts = []
    for cls in sg.objects(shape, SH.targetClass):
        parts.append(f"{{ ?this a ?_tc . VALUES ?_tc {{ {' '.join(_n3(c) for c in _subclasses(onto, cls))} }} }}")
    for p in sg.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ ?_ts {_n3(p)} ?this }}")
    if not parts:
        raise UnsupportedShape(f"shapes.ttl: shape {shape} has no sh:targetClass or sh:targetObjectsOf")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _value_checks(sg: Graph, onto: Graph, prop, path, value: str) -> list[tuple[str, str]]:
    """(component, FILTER expression true for a bad ``value``) for value-node constraints."""
    out = []
    for dt in sg.objects(prop, SH.datatype):
        ok = f"(isLiteral({value}) && DATATYPE({value}) = {_n3(dt)})"
        if dt == XSD.nonNegativeInteger:
            from .oxi import NON_NEGATIVE

            if str(path) in NON_NEGATIVE:  # the store keeps these as xsd:integer
                ok = f"(isLiteral({value}) && DATATYPE({value}) IN ({_n3(dt)}, <{_XSD_INTEGER}>))"
            ok = f"({ok} && COALESCE({value} >= 0, false))"
        out.append(("DatatypeConstraintComponent", f"!{ok}"))
    for kind in sg.objects(prop, SH.nodeKind):
        test = {SH.IRI: "isIRI", SH.Literal: "isLiteral", SH.BlankNode: "isBlank"}.get(kind)
        if test is None:
            raise UnsupportedShape(f"shapes.ttl: sh:nodeKind {kind} is not supported by the SPARQL engine")
        out.append(("NodeKindConstraintComponent", f"!{test}({value})"))
    for cls in sg.objects(prop, SH["class"]):
        classes = " ".join(_n3(c) for c in _subclasses(onto, cls))
        out.append(("ClassConstraintComponent", f"NOT EXISTS {{ {value} a ?_vc . VALUES ?_vc {{ {classes} }} }}"))
    for bound in sg.objects(prop, SH.minInclusive):
        out.append(("MinInclusiveConstraintComponent", f"!COALESCE({value} >= {_n3(bound)}, false)"))
    for bound in sg.objects(prop, SH.maxInclusive):
        out.append(("MaxInclusiveConstraintComponent", f"!COALESCE({value} <= {_n3(bound)}, false)"))
    for head in sg.objects(prop, SH["in"]):
        members = " || ".join(f"sameTerm({value}, {_n3(m)})" for m in Collection(sg, head))
        out.append(("InConstraintComponent", f"!({members or 'false'})"))
    return out


def compile_shapes(sg: Graph, onto: Graph) -> list[_Check]:
    """The checks of shapes graph ``sg`` as SPARQL queries (classes closed under ``onto``'s
    subclasses); raises UnsupportedShape for SHACL the engine does not implement."""
    prefixes = {str(d.value(SH.prefix)): str(d.value(SH.namespace)) for _s, d in
                ((s, sg.resource(o)) for s, o in sg.subject_objects(SH.declare))}
    checks: list[_Check] = []
    for shape in sorted(set(sg.subjects(RDF.type, SH.NodeShape)), key=str):
        unknown = set(sg.predicates(shape)) - _NODE_HANDLED
        if unknown:
            raise UnsupportedShape(f"shapes.ttl: {shape} uses {', '.join(sorted(map(str, unknown)))}, not supported by the SPARQL engine")
        focus = _focus(sg, onto, shape)
        message = sg.value(shape, SH.message)
        for comp, bad in _value_checks(sg, onto, shape, None, "?this"):
            checks.append(_Check(comp, shape, f"SELECT ?this (?this AS ?value) WHERE {{ {focus} FILTER({bad}) }}",
                                 message=message and str(message)))
        for prop in sg.objects(shape, SH.property):
            unknown = set(sg.predicates(prop)) - _HANDLED
            path = sg.value(prop, SH.path)
            if unknown or not isinstance(path, URIRef):
                raise UnsupportedShape(f"shapes.ttl: a property shape of {shape} uses {', '.join(sorted(map(str, unknown))) or 'a complex path'}, not supported by the SPARQL engine")
            message = sg.value(prop, SH.message)
            message = message and str(message)
            p = _n3(path)
            for bound in sg.objects(prop, SH.minCount):
                checks.append(_Check("MinCountConstraintComponent", prop, f"""
                    SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?_v }} }}
                    GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {int(bound)})""", path, message))
            for bound in sg.objects(prop, SH.maxCount):
                checks.append(_Check("MaxCountConstraintComponent", prop, f"""
                    SELECT ?this WHERE {{ {focus} ?this {p} ?_v }}
                    GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {int(bound)})""", path, message))
            for comp, bad in _value_checks(sg, onto, prop, path, "?value"):
                checks.append(_Check(comp, prop, f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {p} ?value FILTER({bad}) }}",
                                     path, message))
        for constraint in sg.objects(shape, SH.sparql):
            select = str(sg.value(constraint, SH.select))
            m = re.search(r"\bWHERE\s*\{", select, flags=re.I)
            if m is None:
                raise UnsupportedShape(f"shapes.ttl: a sh:select of {shape} has no WHERE group")
            query = select[:m.end()] + f" {focus} " + select[m.end():]
            message = sg.value(constraint, SH.message)
            checks.append(_Check("SPARQLConstraintComponent", shape, query, message=message and str(message),
                                 constraint=constraint, prefixes=prefixes))
    return checks


def _sparql_dataset(store: ox.Store, onto: Graph, owned: bool) -> ox.Store:
    """A store whose default graph is the union of ``store``'s graphs plus the vocabulary, each
    triple once (the union of named graphs repeats triples that several documents hold)."""
    from .oxi import to_oxigraph_triples, union_triples

    vocab = [ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph_triples(onto)]
    if owned and not any(True for _ in store.named_graphs()):
        store.extend(vocab)
        return store
    union = union_triples(store)
    data = ox.Store()
    data.bulk_load(input=union.serialize(format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    data.extend(vocab)
    return data


def validate_sparql(store: ox.Store, *, owned: bool = False) -> ValidationResult:
    """The shapes run as SPARQL queries by pyoxigraph; the report as pyshacl writes it."""
    from .oxi import from_ox, restore_literal

    sg, onto = shapes(), ontology()
    data = _sparql_dataset(store, onto, owned)
    dg = Graph()  # namespace bindings for the data nodes, as pyshacl's data graph has them
    descs = []
    for check in compile_shapes(sg, onto):
        results = data.query(check.query, prefixes=check.prefixes)
        has_value = any(v.value == "value" for v in results.variables)
        for row in results:
            this = row["this"]
            value = row["value"] if has_value else None
            if check.component == "SPARQLConstraintComponent" and value is None:
                value = this
            if value is not None and check.path is not None:
                value = restore_literal(str(check.path), value)
            focus, value_node = from_ox(this), from_ox(value) if value is not None else None
            message = check.message if check.message is not None else _generic(check, sg, dg, focus, value_node)
            descs.append(_describe(check, sg, dg, focus, value_node, message))
    descs.sort()
    conforms = not descs
    text = f"Validation Report\nConforms: {conforms}\n"
    if descs:
        text += f"Results ({len(descs)}):\n" + "".join(descs)
    return ValidationResult(conforms, text, len(descs))


_GENERIC = {  # pyshacl's message when the shape has no sh:message: component -> (parameter, text before it)
    "DatatypeConstraintComponent": (SH.datatype, "Value is not Literal with datatype "),
    "NodeKindConstraintComponent": (SH.nodeKind, "Value is not of Node Kind "),
    "ClassConstraintComponent": (SH["class"], "Value does not have class "),
    "MinInclusiveConstraintComponent": (SH.minInclusive, "Value is not >= "),
    "MaxInclusiveConstraintComponent": (SH.maxInclusive, "Value is not <= "),
}


def _generic(check: _Check, sg: Graph, dg: Graph, focus, value) -> str:
    from pyshacl.rdfutil import stringify_node

    shape = check.shape
    if check.component in ("MinCountConstraintComponent", "MaxCountConstraintComponent"):
        low = check.component.startswith("Min")
        bound = sg.value(shape, SH.minCount if low else SH.maxCount)
        return f"{'Less' if low else 'More'} than {bound} values on {stringify_node(dg, focus)}->{stringify_node(sg, check.path)}"
    if check.component in _GENERIC:
        parameter, text = _GENERIC[check.component]
        return text + stringify_node(sg, sg.value(shape, parameter))
    if check.component == "InConstraintComponent":
        members = [stringify_node(sg, m) for m in Collection(sg, sg.value(shape, SH["in"]))]
        return f"Value {stringify_node(dg, value)} not in list {members}"
    return ""


def _describe(check: _Check, sg: Graph, dg: Graph, focus, value, message: str) -> str:
    """One result as pyshacl writes it in its report text."""
    from pyshacl.rdfutil import stringify_node

    desc = (f"Constraint Violation in {check.component} ({SH[check.component]}):\n\tSeverity: sh:Violation\n"
            f"\tSource Shape: {stringify_node(sg, check.shape)}\n\tFocus Node: {stringify_node(dg, focus)}\n")
    if value is not None:
        desc += f"\tValue Node: {stringify_node(dg, value)}\n"
    if check.path is not None:
        desc += f"\tResult Path: {stringify_node(sg, check.path)}\n"
    if check.constraint is not None:
        desc += f"\tSource Constraint: {stringify_node(sg, check.constraint)}\n"
    return desc + f"\tMessage: {message}\n"
