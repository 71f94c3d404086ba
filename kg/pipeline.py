"""The one way through: read -> parse -> mentions -> entities -> relations -> graph.

``extract_document`` runs the NLP stages on one parsed document and returns plain data;
``build`` drives the whole pipeline over the user's inputs and returns the graph with a report
of what was built and what was skipped.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph

from . import entities as entities_stage
from . import mentions as mentions_stage
from . import relations as relations_stage
from .graph import new_graph, to_rdf
from .io import Skipped, read_inputs
from .model import DocExtraction, Document, ResolvedEntity, Sentence
from .parse import DEFAULT_MODEL, Parsed, load_model, parse_documents
from .vocab import KG_NS, relations

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build did: counts for the summary, and the inputs it skipped."""

    documents: int = 0
    sentences: int = 0
    mentions: int = 0
    entities_by_class: Counter = field(default_factory=Counter)
    facts_by_relation: Counter = field(default_factory=Counter)
    statements: int = 0
    triples: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    parse_seconds: float = 0.0

    @property
    def entities(self) -> int:
        return sum(self.entities_by_class.values())


class KnowledgeGraph(Graph):
    """An rdflib Graph that also carries the build's report and per-document extractions."""

    report: BuildReport
    extractions: list[DocExtraction]


def extract_document(parsed: Parsed, ruleset) -> DocExtraction:
    """Mentions, entities and facts of one parsed document, as plain data."""
    sentences: list[Sentence] = []
    candidates = []
    for offset, doc in parsed.chunks:
        base = len(sentences)
        for s in doc.sents:
            text = s.text
            lead = len(text) - len(text.lstrip())
            trail = len(text) - len(text.rstrip())
            if len(text.strip()) == 0:
                sentences.append(Sentence(offset + s.start_char, offset + s.end_char))
            else:
                sentences.append(Sentence(offset + s.start_char + lead, offset + s.end_char - trail))
        candidates.extend(mentions_stage.detect(doc, offset, base))
    mentions, ents = entities_stage.resolve_document(candidates)
    by_key = {e.key: e for e in ents}
    facts = []
    state: dict = {}
    base = 0
    for offset, doc in parsed.chunks:
        facts.extend(relations_stage.extract(doc, offset, base, mentions, by_key, ruleset, state))
        base += sum(1 for _ in doc.sents)
    return DocExtraction(parsed.document, tuple(sentences), tuple(mentions), tuple(ents), tuple(facts))


def as_documents(items: Iterable) -> list[Document]:
    """Documents from Document records, (id, text) pairs or plain strings (ids doc-1, doc-2...)."""
    out = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, Document):
            out.append(item)
        elif isinstance(item, str):
            out.append(Document(id=f"doc-{n}", text=item, source=f"<text {n}>"))
        else:
            doc_id, text = item
            out.append(Document(id=str(doc_id), text=text, source=str(doc_id)))
    return out


def build(
    inputs: Sequence[str] = (),
    *,
    documents: Iterable | None = None,
    rules: Sequence[str] = (),
    encoding: str | None = None,
    model: str = DEFAULT_MODEL,
    on_document: Callable[[Document], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> KnowledgeGraph:
    """Build the knowledge graph of ``inputs`` (paths) and/or ``documents`` (texts).

    Returns a KnowledgeGraph (an rdflib Graph) whose ``report`` says what was built and skipped.
    Callbacks let a caller show progress: ``on_start(total)``, ``on_document(doc)`` after each
    document, ``on_skip(skipped)`` for each input that could not be read.
    """
    started = time.perf_counter()
    ruleset = relations_stage.load_rules(tuple(str(r) for r in rules))
    report = BuildReport()
    docs: list[Document] = []
    for item in read_inputs(inputs, encoding=encoding):
        if isinstance(item, Skipped):
            report.skipped.append(item)
            if on_skip:
                on_skip(item)
        else:
            docs.append(item)
    if documents is not None:
        docs.extend(as_documents(documents))
    if on_start:
        on_start(len(docs))
    extractions: list[DocExtraction] = []
    if docs:
        nlp = load_model(model)
        t0 = time.perf_counter()
        for parsed in parse_documents(nlp, docs):
            extractions.append(extract_document(parsed, ruleset))
            if on_document:
                on_document(parsed.document)
        report.parse_seconds = time.perf_counter() - t0
    resolved = entities_stage.resolve_corpus([(ex.document.id, ex.entities) for ex in extractions])
    graph = KnowledgeGraph()
    for prefix, ns in new_graph().namespaces():
        graph.bind(prefix, ns, override=True, replace=True)
    to_rdf(extractions, resolved, graph)
    _fill_report(report, extractions, resolved, graph)
    report.seconds = time.perf_counter() - started
    graph.report = report
    graph.extractions = extractions
    return graph


def _fill_report(report: BuildReport, extractions, resolved: dict[tuple[str, str], ResolvedEntity], graph: Graph) -> None:
    report.documents = len(extractions)
    report.sentences = sum(len(ex.sentences) for ex in extractions)
    report.mentions = sum(len(ex.mentions) for ex in extractions)
    seen = {}
    for ent in resolved.values():
        seen[ent.key] = ent.cls
    report.entities_by_class = Counter(seen.values())
    rels = relations()
    report.facts_by_relation = Counter(
        str(p)[len(KG_NS):] for _s, p, _o in graph if str(p).startswith(KG_NS) and str(p)[len(KG_NS):] in rels
    )
    report.statements = sum(len(ex.facts) for ex in extractions)
    report.triples = len(graph)
