"""Every graph kg writes holds the output contract (shared/spec/output-contract.md)."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.validate import validate
from kg.vocab import ITSRDF, KG, KG_NS, NIF, PROV, classes, relations


@pytest.fixture(params=["seed", "examples"])
def graph(request, seed_graph, examples_graph):
    return seed_graph if request.param == "seed" else examples_graph


def _int(g, s, p):
    return int(g.value(s, p))


def test_contract_each_document_is_a_nif_context_with_text_and_identifier(graph):
    contexts = list(graph.subjects(RDF.type, NIF.Context))
    assert len(contexts) == graph.report.documents > 0
    ids = {ex.document.id: ex.document.text for ex in graph.extractions}
    for c in contexts:
        ident = str(graph.value(c, DCTERMS.identifier))
        assert str(graph.value(c, NIF.isString)) == ids[ident]


def test_contract_seed_document_identifier_is_its_file_name(seed_graph):
    (c,) = seed_graph.subjects(RDF.type, NIF.Context)
    assert str(seed_graph.value(c, DCTERMS.identifier)) == "openai-microsoft.txt"


def test_contract_sentences_and_mentions_offsets_give_back_their_anchor(graph):
    n = 0
    for kind in (NIF.Sentence, NIF.Phrase):
        for s in graph.subjects(RDF.type, kind):
            text = str(graph.value(graph.value(s, NIF.referenceContext), NIF.isString))
            b, e = _int(graph, s, NIF.beginIndex), _int(graph, s, NIF.endIndex)
            assert 0 <= b < e <= len(text)
            assert text[b:e] == str(graph.value(s, NIF.anchorOf))
            n += 1
    assert n > 0


def test_contract_every_mention_points_to_a_typed_labelled_entity(graph):
    kg_classes = {KG[c] for c in classes()}
    mentions = list(graph.subjects(RDF.type, NIF.Phrase))
    assert mentions
    for m in mentions:
        e = graph.value(m, ITSRDF.taIdentRef)
        assert isinstance(e, URIRef)
        assert set(graph.objects(e, RDF.type)) & kg_classes
        labels = list(graph.objects(e, RDFS.label))
        assert len(labels) == 1 and labels[0].language in ("ja", "en")


def test_contract_alt_labels_have_no_honorifics(graph):
    for alt in graph.objects(None, SKOS.altLabel):
        assert not str(alt).endswith(("氏", "さん", "様")), alt


def test_contract_statements_carry_provenance_confidence_rule_and_evidence(graph):
    statements = list(graph.subjects(RDF.type, RDF.Statement))
    assert statements
    for st in statements:
        for p in (RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom, KG.confidence, KG.rule, NIF.beginIndex, NIF.endIndex):
            assert graph.value(st, p) is not None, (st, p)
        sent = graph.value(st, PROV.wasDerivedFrom)
        assert (sent, RDF.type, NIF.Sentence) in graph
        conf = graph.value(st, KG.confidence)
        assert conf.datatype == XSD.decimal and 0 <= float(conf) <= 1
        assert _int(graph, sent, NIF.beginIndex) <= _int(graph, st, NIF.beginIndex) < _int(graph, st, NIF.endIndex) <= _int(graph, sent, NIF.endIndex)


def _asserted_statement_exists(g, s, p, o):
    for st in g.subjects(RDF.predicate, p):
        if (st, KG.negated, Literal(True)) in g or g.value(st, KG.modality) is not None:
            continue
        pair = (g.value(st, RDF.subject), g.value(st, RDF.object))
        if pair == (s, o) or (relations()[str(p)[len(KG_NS):]].symmetric and pair == (o, s)):
            return True
    return False


def test_contract_direct_triples_only_for_asserted_statements(graph):
    rels = {KG[r] for r in relations()}
    direct = [(s, p, o) for s, p, o in graph if p in rels]
    assert direct
    for s, p, o in direct:
        assert _asserted_statement_exists(graph, s, p, o), (s, p, o)
    assert (None, KG.related, None) not in graph


def test_contract_negated_or_modal_statement_has_no_direct_triple_of_its_own(seed_graph):
    g = seed_graph
    qualified = [st for st in g.subjects(RDF.type, RDF.Statement) if (st, KG.negated, Literal(True)) in g or g.value(st, KG.modality)]
    assert qualified, "the seed article has hedged and negated statements"
    for st in qualified:
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        if (s, p, o) in g:
            assert _asserted_statement_exists(g, s, p, o)


def test_contract_seed_has_altman_works_for_microsoft_and_nadella_ceo_of_microsoft(seed_graph):
    g = seed_graph

    def entity(label):
        for e in g.subjects(RDFS.label, None):
            names = {str(x) for x in g.objects(e, RDFS.label)} | {str(x) for x in g.objects(e, SKOS.altLabel)}
            if label in names:
                return e
        raise AssertionError(f"no entity named {label}")

    altman, nadella, microsoft = entity("サム・アルトマン"), entity("サティア・ナデラ"), entity("マイクロソフト")
    for s, p, o in [(altman, KG.worksFor, microsoft), (nadella, KG.ceoOf, microsoft)]:
        assert (s, p, o) in g
        assert _asserted_statement_exists(g, s, p, o)


def test_contract_shacl_shapes_validate_the_seed_graph(seed_graph):
    result = validate(seed_graph)
    assert result.conforms, result.report


def test_contract_shacl_shapes_catch_a_broken_graph(seed_graph):
    from kg.pipeline import KnowledgeGraph

    broken = KnowledgeGraph()
    for t in seed_graph:
        broken.add(t)
    mention = next(broken.subjects(RDF.type, NIF.Phrase))
    broken.set((mention, NIF.anchorOf, Literal("ずれた文字列")))
    st = next(broken.subjects(RDF.type, RDF.Statement))
    broken.remove((st, KG.rule, None))
    result = validate(broken)
    assert not result.conforms
    assert result.violations >= 2
