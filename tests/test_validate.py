"""kg validate: the shapes as SPARQL in pyoxigraph give pyshacl's report, on graphs with violations."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal

import pytest
import rdflib
from rdflib import RDF, XSD, Literal, URIRef

from kg.store import dataset_from_graph, open_dataset
from kg.validate import UnsupportedShape, compile_shapes, shapes, validate, validate_store
from kg.vocab import KG, NIF, ontology

PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")


def normalised(report: str) -> list[str]:
    """The report's result blocks, sorted; sh:in lists as sets (pyshacl prints them in set order)."""
    blocks = re.split(r"(?m)^(?=Constraint Violation)", report)
    head, results = blocks[0], blocks[1:]
    fix = lambda b: re.sub(r"not in list \[(.*)\]", lambda m: "not in list " + str(sorted(m.group(1).split(", "))), b)
    return [head] + sorted(fix(b) for b in results)


@pytest.fixture(scope="module")
def broken(examples_graph):
    """The examples graph with one violation of each kind the shapes check."""
    g = rdflib.Graph()
    for t in examples_graph:
        g.add(t)
    phrases = sorted(g.subjects(RDF.type, NIF.Phrase))
    st = sorted(g.subjects(RDF.type, RDF.Statement))
    g.set((phrases[0], NIF.endIndex, Literal(100000, datatype=XSD.nonNegativeInteger)))  # offsets (SPARQL)
    g.set((phrases[1], NIF.beginIndex, Literal("-1", datatype=XSD.nonNegativeInteger)))  # not a nonNegativeInteger
    g.remove((phrases[2], NIF.anchorOf, None))  # min count
    g.add((phrases[3], NIF.endIndex, Literal(7, datatype=XSD.nonNegativeInteger)))  # max count
    g.set((st[0], KG.confidence, Literal(Decimal("1.5"), datatype=XSD.decimal)))  # max inclusive
    g.add((st[1], KG.modality, Literal("maybe")))  # in
    g.set((st[2], KG.rule, Literal(3)))  # datatype
    g.set((st[3], RDF.object, Literal("x")))  # node kind (and its direct triple loses its backing)
    g.set((st[4], PROV.wasDerivedFrom, phrases[0]))  # class
    g.set((st[5], RDF.predicate, URIRef("http://example.org/p")))  # not a kg relation (SPARQL)
    person = sorted(g.subjects(RDF.type, KG.Person))[0]
    g.add((person, KG.worksFor, sorted(g.subjects(RDF.type, KG.Organization))[0]))  # unbacked (SPARQL)
    g.add((person, rdflib.RDFS.label, Literal("別名", lang="ja")))  # two labels
    return g


def test_validate_sparql_gives_pyshacl_report_on_a_broken_graph(broken):
    reference = validate(broken)
    assert not reference.conforms and reference.violations >= 10
    got = validate_store(dataset_from_graph(broken), engine="sparql")
    assert (got.conforms, got.violations) == (reference.conforms, reference.violations)
    assert normalised(got.report) == normalised(reference.report)


@pytest.mark.parametrize("which", ["file", "store"])
def test_validate_sparql_conforms_on_built_graphs(which, examples_ttl, examples_store):
    """A store holds direct triples once per document graph and its literals canonicalised:
    neither is a violation."""
    source = examples_ttl if which == "file" else examples_store
    result = validate_store(open_dataset(source), engine="sparql", owned=which == "file")
    assert result.conforms and result.violations == 0
    assert result.report == "Validation Report\nConforms: True\n"


def test_validate_sparql_refuses_shapes_it_does_not_implement():
    sg = shapes()
    shape = next(iter(sg.subjects(RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape"))))
    prop = next(iter(sg.objects(shape, rdflib.URIRef("http://www.w3.org/ns/shacl#property"))))
    sg.add((prop, rdflib.URIRef("http://www.w3.org/ns/shacl#pattern"), Literal("^x")))
    with pytest.raises(UnsupportedShape, match="pattern"):
        compile_shapes(sg, ontology())
    assert compile_shapes(shapes(), ontology())  # the bundled shapes compile


def test_cli_validate_with_the_sparql_engine_reports_and_exits_1(tmp_path, broken):
    path = tmp_path / "broken.ttl"
    broken.serialize(path, format="turtle")
    res = subprocess.run([sys.executable, "-m", "kg", "validate", str(path), "--engine", "sparql"],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert "Constraint Violation in SPARQLConstraintComponent" in res.stdout
    assert re.fullmatch(rf"{re.escape(str(path))}: \d+ violation\(s\)", res.stdout.strip().splitlines()[-1])
