"""Graph stage: the RDF graph of the output contract (shared/spec/output-contract.md).

Input is plain data (DocExtraction records and the corpus-wide entities); output is rdflib
triples. Documents, sentences and mentions follow NIF 2.0 Core with code-point offsets;
entities get one IRI each, derived from their class and name (or gazetteer id) so that the
same input always gives the same IRIs; every extracted fact is an rdf:Statement with its
provenance, and asserted facts are also direct triples.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .model import DocExtraction, Fact, ResolvedEntity
from .vocab import ENTITY_NS, ID_NS, ITSRDF, KG, NIF, PREFIXES, PROV, WD, ancestors, relations

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")

Triple = tuple


def _iri_char_ok(c: str) -> bool:
    """RFC 3987 ipchar (plus "/"): unreserved ASCII, sub-delims, ":@/", and ucschar."""
    o = ord(c)
    if o < 0x80:
        return c.isalnum() or c in "-._~!$&'()*+,;=:@/"
    return (
        0xA0 <= o <= 0xD7FF or 0xF900 <= o <= 0xFDCF or 0xFDF0 <= o <= 0xFFEF
        or (0x10000 <= o <= 0xEFFFD and (o & 0xFFFF) < 0xFFFE)
    )


def iri_segment(text: str) -> str:
    """A string as an IRI path: Unicode kept where IRIs allow it, everything else percent-encoded."""
    return "".join(c if _iri_char_ok(c) else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in text)


def document_iri(doc_id: str) -> str:
    return f"{ID_NS}doc/{iri_segment(doc_id)}"


def context_iri(doc_id: str, length: int) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}#char=0,{length}")


def span_iri(doc_id: str, begin: int, end: int) -> URIRef:
    """NIF offset-based IRI (RFC 5147 ``#char=begin,end``) of a sentence or mention."""
    return URIRef(f"{document_iri(doc_id)}#char={begin},{end}")


def entity_iri(key: str) -> URIRef:
    """``TopClass/name`` -> https://w3id.org/kg-ja/id/entity/TopClass/name (spaces as _)."""
    cls, _, name = key.partition("/")
    return URIRef(f"{ENTITY_NS}{iri_segment(cls)}/{iri_segment(name.replace(' ', '_'))}")


def statement_iri(doc_id: str, fact: Fact, subject: URIRef, obj: URIRef) -> URIRef:
    h = hashlib.sha1("\x1f".join(map(str, (subject, fact.relation, obj, fact.begin, fact.end, fact.rule, fact.lemma))).encode("utf-8")).hexdigest()[:16]
    return URIRef(f"{document_iri(doc_id)}#fact-{h}")


def lang_literal(text: str) -> Literal:
    return Literal(text, lang="ja" if _JAPANESE.search(text) else "en")


def _bool(v: bool) -> Literal:
    return Literal(v, datatype=XSD.boolean)


def _int(v: int) -> Literal:
    return Literal(v, datatype=XSD.nonNegativeInteger)


def document_triples(ex: DocExtraction, resolve: Mapping[str, ResolvedEntity]) -> Iterator[Triple]:
    """The triples one document contributes: its context, sentences, mentions, facts and
    Statements. ``resolve`` maps the document's local entity keys to corpus-wide entities."""
    doc = ex.document
    ctx = context_iri(doc.id, len(doc.text))
    yield ctx, RDF.type, NIF.Context
    yield ctx, RDF.type, NIF.OffsetBasedString
    yield ctx, NIF.isString, Literal(doc.text)
    yield ctx, NIF.beginIndex, _int(0)
    yield ctx, NIF.endIndex, _int(len(doc.text))
    yield ctx, DCTERMS.identifier, Literal(doc.id)
    sentence_iris = []
    for s in ex.sentences:
        si = span_iri(doc.id, s.begin, s.end)
        sentence_iris.append(si)
        yield si, RDF.type, NIF.Sentence
        yield si, RDF.type, NIF.OffsetBasedString
        yield si, NIF.referenceContext, ctx
        yield si, NIF.beginIndex, _int(s.begin)
        yield si, NIF.endIndex, _int(s.end)
        yield si, NIF.anchorOf, Literal(doc.text[s.begin:s.end])
    for a, b in zip(sentence_iris, sentence_iris[1:]):
        yield a, NIF.nextSentence, b
    for m in ex.mentions:
        ent = resolve.get(m.entity)
        if ent is None:
            continue
        mi = span_iri(doc.id, m.begin, m.end)
        yield mi, RDF.type, NIF.Phrase
        yield mi, RDF.type, NIF.OffsetBasedString
        yield mi, NIF.referenceContext, ctx
        if 0 <= m.sentence < len(sentence_iris):
            yield mi, NIF.sentence, sentence_iris[m.sentence]
        yield mi, NIF.beginIndex, _int(m.begin)
        yield mi, NIF.endIndex, _int(m.end)
        yield mi, NIF.anchorOf, Literal(doc.text[m.begin:m.end])
        yield mi, ITSRDF.taIdentRef, entity_iri(ent.key)
        yield mi, ITSRDF.taClassRef, KG[ent.cls]
    rels = relations()
    for f in ex.facts:
        s_ent, o_ent = resolve.get(f.subject), resolve.get(f.object)
        if s_ent is None or o_ent is None or s_ent.key == o_ent.key:
            continue
        subj, obj = entity_iri(s_ent.key), entity_iri(o_ent.key)
        pred = KG[f.relation]
        if f.asserted:
            yield subj, pred, obj
            if rels[f.relation].symmetric:
                yield obj, pred, subj
        st = statement_iri(doc.id, f, subj, obj)
        yield st, RDF.type, RDF.Statement
        yield st, RDF.subject, subj
        yield st, RDF.predicate, pred
        yield st, RDF.object, obj
        if 0 <= f.sentence < len(sentence_iris):
            yield st, PROV.wasDerivedFrom, sentence_iris[f.sentence]
        yield st, NIF.referenceContext, ctx
        yield st, KG.confidence, Literal(Decimal(str(f.confidence)), datatype=XSD.decimal)
        yield st, KG.rule, Literal(f.rule)
        yield st, NIF.beginIndex, _int(f.begin)
        yield st, NIF.endIndex, _int(f.end)
        yield st, NIF.anchorOf, Literal(doc.text[f.begin:f.end])
        if f.negated:
            yield st, KG.negated, _bool(True)
        if f.modality:
            yield st, KG.modality, Literal(f.modality)
        if f.attributed_to and f.attributed_to in resolve:
            yield st, KG.attributedTo, entity_iri(resolve[f.attributed_to].key)
        if f.inferred:
            yield st, KG.inferred, _bool(True)
        if f.lemma:
            yield st, KG.predicateLemma, Literal(f.lemma)


def entity_triples(ent: ResolvedEntity, mention_count: int | None = None) -> Iterator[Triple]:
    """Type (with superclasses), preferred label, aliases, readings and Wikidata link."""
    e = entity_iri(ent.key)
    for c in ancestors(ent.cls):
        yield e, RDF.type, KG[c]
    yield e, RDFS.label, lang_literal(ent.label)
    for n in ent.names:
        if n != ent.label:
            yield e, SKOS.altLabel, lang_literal(n)
    for r in ent.readings:
        yield e, KG.reading, Literal(r)
    if ent.wikidata:
        yield e, OWL.sameAs, WD[ent.wikidata]
        yield e, KG.wikidata, WD[ent.wikidata]
    if mention_count is not None:
        yield e, KG.mentionCount, _int(mention_count)


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def to_rdf(extractions: Sequence[DocExtraction], resolve: Mapping[tuple[str, str], ResolvedEntity], graph: Graph | None = None) -> Graph:
    """The whole corpus as one graph."""
    g = graph if graph is not None else new_graph()
    counts: Counter = Counter()
    entities: dict[str, ResolvedEntity] = {}
    for ex in extractions:
        local = {e.key: resolve[(ex.document.id, e.key)] for e in ex.entities if (ex.document.id, e.key) in resolve}
        for m in ex.mentions:
            if m.entity in local:
                counts[local[m.entity].key] += 1
        for ent in local.values():
            entities[ent.key] = ent
        for t in document_triples(ex, local):
            g.add(t)
    for key in sorted(entities):
        for t in entity_triples(entities[key], counts[key]):
            g.add(t)
    return g
