"""Graph stage: the RDF graph of the output contract (shared/spec/output-contract.md).

Input is plain data (DocExtraction records and the corpus-wide entities); output is rdflib
triples. Documents, sentences and mentions follow NIF 2.0 Core with code-point offsets;
entities get one IRI each, derived from their class and name (or gazetteer id) so that the
same input always gives the same IRIs; every extracted fact is an rdf:Statement with its
provenance, and asserted facts are also direct triples.

Terms are made once where they repeat: vocabulary terms are module constants (an rdflib
namespace lookup costs more than the triple it goes into), number literals and entity IRIs are
cached, and a document's IRI is formatted once for all its spans.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.plugins.stores.memory import Memory

from .model import DocExtraction, Fact, ResolvedEntity
from .vocab import ENTITY_NS, ID_NS, ITSRDF, KG, NIF, PREFIXES, PROV, WD, ancestors, relations

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")

Triple = tuple

# the vocabulary terms of every document, looked up once
_TYPE = RDF.type
_CONTEXT, _OFFSET_STRING, _SENTENCE, _PHRASE = NIF.Context, NIF.OffsetBasedString, NIF.Sentence, NIF.Phrase
_IS_STRING, _BEGIN, _END, _ANCHOR = NIF.isString, NIF.beginIndex, NIF.endIndex, NIF.anchorOf
_REFERENCE_CONTEXT, _IN_SENTENCE, _NEXT_SENTENCE = NIF.referenceContext, NIF.sentence, NIF.nextSentence
_IDENTIFIER = DCTERMS.identifier
_IDENT_REF, _CLASS_REF = ITSRDF.taIdentRef, ITSRDF.taClassRef
_STATEMENT, _SUBJECT, _PREDICATE, _OBJECT = RDF.Statement, RDF.subject, RDF.predicate, RDF.object
_DERIVED_FROM = PROV.wasDerivedFrom
_CONFIDENCE, _RULE, _NEGATED, _MODALITY = KG.confidence, KG.rule, KG.negated, KG.modality
_ATTRIBUTED_TO, _INFERRED, _LEMMA, _LEARNED = KG.attributedTo, KG.inferred, KG.predicateLemma, KG.learned
_LABEL, _ALT_LABEL, _READING, _SAME_AS, _WIKIDATA, _MENTION_COUNT = (
    RDFS.label, SKOS.altLabel, KG.reading, OWL.sameAs, KG.wikidata, KG.mentionCount)


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


def span_iri(doc: str, begin: int, end: int) -> URIRef:
    """NIF offset-based IRI (RFC 5147 ``#char=begin,end``) of a span of the document whose IRI
    is ``doc`` (``document_iri``): its context (the whole text), a sentence or a mention."""
    return URIRef(f"{doc}#char={begin},{end}")


@lru_cache(maxsize=1 << 16)
def entity_iri(key: str) -> URIRef:
    """``TopClass/name`` -> https://w3id.org/kg-ja/id/entity/TopClass/name (spaces as _)."""
    cls, _, name = key.partition("/")
    return URIRef(f"{ENTITY_NS}{iri_segment(cls)}/{iri_segment(name.replace(' ', '_'))}")


def statement_iri(doc: str, fact: Fact, subject: URIRef, obj: URIRef) -> URIRef:
    """The IRI of ``fact``'s rdf:Statement in the document whose IRI is ``doc``."""
    h = hashlib.sha1("\x1f".join(map(str, (subject, fact.relation, obj, fact.begin, fact.end, fact.rule, fact.lemma))).encode("utf-8")).hexdigest()[:16]
    return URIRef(f"{doc}#fact-{h}")


def lang_literal(text: str) -> Literal:
    return Literal(text, lang="ja" if _JAPANESE.search(text) else "en")


@lru_cache(maxsize=2)
def _bool(v: bool) -> Literal:
    return Literal(v, datatype=XSD.boolean)


@lru_cache(maxsize=1 << 16, typed=True)
def _int(v: int) -> Literal:
    return Literal(v, datatype=XSD.nonNegativeInteger)


@lru_cache(maxsize=1024, typed=True)
def _decimal(v: float) -> Literal:
    return Literal(Decimal(str(v)), datatype=XSD.decimal)


@lru_cache(maxsize=1024)
def _kg(name: str) -> URIRef:
    """A class or property of the vocabulary (the closed namespace checks the name once)."""
    return KG[name]


def document_triples(ex: DocExtraction, resolve: Mapping[str, ResolvedEntity]) -> Iterator[Triple]:
    """The triples one document contributes: its context, sentences, mentions, facts and
    Statements. ``resolve`` maps the document's local entity keys to corpus-wide entities."""
    doc = ex.document
    text = doc.text
    base = document_iri(doc.id)
    ctx = span_iri(base, 0, len(text))
    yield ctx, _TYPE, _CONTEXT
    yield ctx, _TYPE, _OFFSET_STRING
    yield ctx, _IS_STRING, Literal(text)
    yield ctx, _BEGIN, _int(0)
    yield ctx, _END, _int(len(text))
    yield ctx, _IDENTIFIER, Literal(doc.id)
    sentence_iris = []
    for s in ex.sentences:
        si = span_iri(base, s.begin, s.end)
        sentence_iris.append(si)
        yield si, _TYPE, _SENTENCE
        yield si, _TYPE, _OFFSET_STRING
        yield si, _REFERENCE_CONTEXT, ctx
        yield si, _BEGIN, _int(s.begin)
        yield si, _END, _int(s.end)
        yield si, _ANCHOR, Literal(text[s.begin:s.end])
    for a, b in zip(sentence_iris, sentence_iris[1:]):
        yield a, _NEXT_SENTENCE, b
    for m in ex.mentions:
        ent = resolve.get(m.entity)
        if ent is None:
            continue
        mi = span_iri(base, m.begin, m.end)
        yield mi, _TYPE, _PHRASE
        yield mi, _TYPE, _OFFSET_STRING
        yield mi, _REFERENCE_CONTEXT, ctx
        if 0 <= m.sentence < len(sentence_iris):
            yield mi, _IN_SENTENCE, sentence_iris[m.sentence]
        yield mi, _BEGIN, _int(m.begin)
        yield mi, _END, _int(m.end)
        yield mi, _ANCHOR, Literal(text[m.begin:m.end])
        yield mi, _IDENT_REF, entity_iri(ent.key)
        yield mi, _CLASS_REF, _kg(ent.cls)
    rels = relations()
    for f in ex.facts:
        s_ent, o_ent = resolve.get(f.subject), resolve.get(f.object)
        if s_ent is None or o_ent is None or s_ent.key == o_ent.key:
            continue
        subj, obj = entity_iri(s_ent.key), entity_iri(o_ent.key)
        pred = _kg(f.relation)
        if f.asserted:
            yield subj, pred, obj
            if rels[f.relation].symmetric:
                yield obj, pred, subj
        st = statement_iri(base, f, subj, obj)
        yield st, _TYPE, _STATEMENT
        yield st, _SUBJECT, subj
        yield st, _PREDICATE, pred
        yield st, _OBJECT, obj
        if 0 <= f.sentence < len(sentence_iris):
            yield st, _DERIVED_FROM, sentence_iris[f.sentence]
        yield st, _REFERENCE_CONTEXT, ctx
        yield st, _CONFIDENCE, _decimal(f.confidence)
        yield st, _RULE, Literal(f.rule)
        yield st, _BEGIN, _int(f.begin)
        yield st, _END, _int(f.end)
        yield st, _ANCHOR, Literal(text[f.begin:f.end])
        if f.negated:
            yield st, _NEGATED, _bool(True)
        if f.modality:
            yield st, _MODALITY, Literal(f.modality)
        if f.attributed_to and f.attributed_to in resolve:
            yield st, _ATTRIBUTED_TO, entity_iri(resolve[f.attributed_to].key)
        if f.inferred:
            yield st, _INFERRED, _bool(True)
        if f.learned:
            yield st, _LEARNED, _bool(True)
        if f.lemma:
            yield st, _LEMMA, Literal(f.lemma)


def entity_triples(ent: ResolvedEntity, mention_count: int | None = None) -> Iterator[Triple]:
    """Type (with superclasses), preferred label, aliases, readings and Wikidata link."""
    e = entity_iri(ent.key)
    for c in ancestors(ent.cls):
        yield e, _TYPE, _kg(c)
    yield e, _LABEL, lang_literal(ent.label)
    for n in ent.names:
        if n != ent.label:
            yield e, _ALT_LABEL, lang_literal(n)
    for r in ent.readings:
        yield e, _READING, Literal(r)
    if ent.wikidata:
        yield e, _SAME_AS, WD[ent.wikidata]
        yield e, _WIKIDATA, WD[ent.wikidata]
    if mention_count is not None:
        yield e, _MENTION_COUNT, _int(mention_count)


def new_graph(graph_class: type[Graph] = Graph, store="default") -> Graph:
    """An empty graph with the project's prefixes bound."""
    g = graph_class(store=store)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def corpus_triples(extractions: Iterable[DocExtraction], resolve: Mapping[tuple[str, str], ResolvedEntity]) -> list[Triple]:
    """Every triple of the corpus once, in a fixed order: each document's (in input order), then
    the entities' (by key). ``resolve`` maps (document id, local key) to corpus-wide entities."""
    counts: Counter = Counter()
    entities: dict[str, ResolvedEntity] = {}
    out: dict[Triple, None] = {}  # a set that keeps the order
    for ex in extractions:
        doc_id = ex.document.id
        local = {e.key: resolve[(doc_id, e.key)] for e in ex.entities if (doc_id, e.key) in resolve}
        for m in ex.mentions:
            if m.entity in local:
                counts[local[m.entity].key] += 1
        for ent in local.values():
            entities[ent.key] = ent
        out.update(dict.fromkeys(document_triples(ex, local)))
    for key in sorted(entities):
        out.update(dict.fromkeys(entity_triples(entities[key], counts[key])))
    return list(out)


def graph_of(triples: list[Triple], graph_class: type[Graph] = Graph) -> Graph:
    """A graph of ``graph_class`` holding ``triples`` (each once, e.g. from ``corpus_triples``)
    with the project's prefixes. Its store indexes the triples when first asked for more than
    all of them or their number, so writing the graph out (Turtle, the view) never pays for it."""
    store = _DeferredMemory(triples)
    g = new_graph(graph_class, store)
    store.graph = g
    return g


def to_rdf(extractions: Sequence[DocExtraction], resolve: Mapping[tuple[str, str], ResolvedEntity], graph: Graph | None = None) -> Graph:
    """The whole corpus as one graph (added to ``graph`` when given)."""
    triples = corpus_triples(extractions, resolve)
    if graph is None:
        return graph_of(triples)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


class _DeferredMemory(Memory):
    """rdflib's in-memory store, handed all its triples (each once) for one graph. It answers
    "every triple" and "how many" from that list; anything else (a pattern, a change, a
    SPARQL query, which goes through patterns) first indexes them into the store proper."""

    def __init__(self, triples: list[Triple]):
        super().__init__()
        self._pending: list[Triple] | None = triples
        self.graph: Graph | None = None

    def _index(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            for t in pending:
                super().add(t, self.graph, False)

    def _whole(self, pattern, context) -> bool:
        return self._pending is not None and (context is None or context is self.graph) and all(x is None for x in pattern)

    def triples(self, triple_pattern, context=None):
        if self._whole(triple_pattern, context):
            for t in self._pending:
                yield t, iter((self.graph,))
            return
        self._index()
        yield from super().triples(triple_pattern, context)

    def __len__(self, context=None) -> int:
        if self._whole((None, None, None), context):
            return len(self._pending)
        self._index()
        return super().__len__(context)

    def add(self, triple, context, quoted=False):
        self._index()
        return super().add(triple, context, quoted)

    def addN(self, quads):  # noqa: N802 (rdflib's name)
        self._index()
        return super().addN(quads)

    def remove(self, triple, context=None):
        self._index()
        return super().remove(triple, context)

    def contexts(self, triple=None):
        self._index()
        return super().contexts(triple)

    def add_graph(self, graph):
        self._index()
        return super().add_graph(graph)

    def remove_graph(self, graph):
        self._index()
        return super().remove_graph(graph)
