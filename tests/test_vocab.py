"""ontologies/kg.ttl is the one source of names, and agrees with shared/spec."""

import csv

import pytest
from rdflib import OWL, RDF, RDFS

from kg import vocab
from conftest import SHARED, require_shared


def _tsv(name):
    path = require_shared(SHARED / "spec" / name)
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_vocab_has_every_spec_class_with_its_parent():
    spec = _tsv("classes.tsv")
    classes = vocab.classes()
    for row in spec:
        assert row["name"] in classes, row["name"]
        parent = None if row["parent"] == "-" else row["parent"]
        assert classes[row["name"]].parent == parent


def test_vocab_has_every_spec_relation_with_domain_range_and_symmetry():
    spec = _tsv("relations.tsv")
    rels = vocab.relations()
    for row in spec:
        r = rels[row["name"]]
        assert r.domain == frozenset(row["domain"].split("|")), row["name"]
        assert r.range == frozenset(row["range"].split("|")), row["name"]
        assert r.symmetric == (row["symmetric"] == "yes"), row["name"]
        wd = row["wikidata"].split()[0]
        if wd.startswith("^"):
            assert r.wikidata_inverse == wd[1:]
        else:
            assert r.wikidata == wd


def test_vocab_terms_have_japanese_and_english_labels_and_comments():
    g = vocab.ontology()
    for term in list(vocab.classes().values()) + list(vocab.relations().values()):
        langs = {o.language for o in g.objects(term.iri, RDFS.label)}
        assert {"ja", "en"} <= langs, term.name
        assert g.value(term.iri, RDFS.comment) is not None, term.name


def test_vocab_closed_namespace_rejects_a_misspelt_term():
    assert str(vocab.KG.worksFor).endswith("#worksFor")
    with pytest.raises(AttributeError):
        vocab.KG.worksFr


def test_vocab_symmetric_relations_are_owl_symmetric():
    g = vocab.ontology()
    for name in ("partnerOf", "spouseOf", "siblingOf"):
        assert (vocab.KG[name], RDF.type, OWL.SymmetricProperty) in g
    assert (vocab.KG.worksFor, RDF.type, OWL.SymmetricProperty) not in g


def test_vocab_subclass_is_compatible_with_its_parent_only():
    assert vocab.compatible("Company", "Organization")
    assert not vocab.compatible("Company", "Person")
    assert vocab.top_class("Work") == "Product"
