"""Running a predictor over the gold texts: the real pipeline (``kg``) or, for comparison, GiNZA's
raw NER mapped through ontologies/ene-classes.tsv (``ginza``)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .. import pipeline
from ..entities import resolve_corpus
from ..lexicon import ene_classes
from ..model import DocExtraction, Entity, Mention, ResolvedEntity, Sentence
from ..parse import load_model, parse_documents
from ..vocab import top_class
from .align import Alignment, align
from .gold import GoldDocument, GoldSet

PREDICTORS = ("kg", "ginza")


@dataclass
class Run:
    """The gold set with what a predictor made of its texts. ``extractions`` and ``resolved`` are
    keyed like the pipeline's: by document id, and by (document id, local entity key)."""

    gold: GoldSet
    predictor: str
    extractions: dict[str, DocExtraction]
    resolved: dict[tuple[str, str], ResolvedEntity]
    seconds: float = 0.0
    parse_seconds: float = 0.0
    _alignments: dict = field(default_factory=dict, repr=False)

    def node(self, doc_id: str, key: str) -> ResolvedEntity:
        """The graph node (corpus-wide entity) a document-local entity key became."""
        return self.resolved[(doc_id, key)]

    def alignment(self, doc: GoldDocument, nodes: bool = False) -> Alignment:
        """Alignment of one document's predicted entities to ``doc`` (pass a gold document
        reduced to the types scored); ``nodes=True`` aligns graph nodes instead of local keys."""
        cache_key = (id(doc), nodes)
        if cache_key not in self._alignments:
            ex = self.extractions[doc.id]
            key_of = (lambda k: self.resolved[(doc.id, k)].key) if nodes else None
            self._alignments[cache_key] = (doc, align(ex.mentions, doc, key_of))
        return self._alignments[cache_key][1]


def run(gold: GoldSet, predictor: str = "kg", learned: bool = True) -> Run:
    """Run ``predictor`` over every gold document (``learned``: with the pair classifier)."""
    if predictor not in PREDICTORS:
        raise ValueError(f"unknown predictor {predictor!r}: choose one of {', '.join(PREDICTORS)}")
    started = time.perf_counter()
    docs = [(d.id, d.text) for d in gold.documents]
    if predictor == "kg":
        graph = pipeline.build(documents=docs, learned=learned)
        extractions = {ex.document.id: ex for ex in graph.extractions}
        parse_seconds = graph.report.parse_seconds
        resolved = resolve_corpus([(k, ex.entities) for k, ex in extractions.items()])
    else:
        t0 = time.perf_counter()
        extractions = {ex.document.id: ex for ex in _ginza_extractions(pipeline.as_documents(docs))}
        parse_seconds = time.perf_counter() - t0
        # raw NER resolves nothing: every mention is a node of its own
        resolved = {(k, e.key): ResolvedEntity(f"{k}#{e.key}", e.cls, e.label, e.names)
                    for k, ex in extractions.items() for e in ex.entities}
    return Run(gold, predictor, extractions, resolved, time.perf_counter() - started, parse_seconds)


def _ginza_extractions(documents):
    """Each GiNZA entity whose ENE label maps to a class is a mention of an entity of its own."""
    table = ene_classes()
    for parsed in parse_documents(load_model(), documents):
        mentions, entities, sentences = [], [], []
        for offset, doc in parsed.chunks:
            for s in doc.sents:
                sentences.append(Sentence(offset + s.start_char, offset + s.end_char))
            for ent in doc.ents:
                cls = table.get(ent.label_)
                if cls is None:
                    continue
                b, e = offset + ent.start_char, offset + ent.end_char
                key = f"{top_class(cls)}/{b}-{e}"
                sent = sum(1 for s in sentences if s.begin <= b) - 1
                mentions.append(Mention(b, e, ent.text, key, max(sent, 0)))
                entities.append(Entity(key, cls, ent.text, (ent.text,)))
        yield DocExtraction(parsed.document, tuple(sentences), tuple(mentions), tuple(entities), ())
