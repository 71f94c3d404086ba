"""The one way through: read -> parse -> mentions -> entities -> relations -> graph.

``extract_document`` runs the NLP stages on one parsed document and returns plain data;
``build`` drives the whole pipeline over the user's inputs and returns the graph with a report
of what was built and what was skipped.

Documents flow through in batches (``parse.BATCH_DOCUMENTS``): each batch is parsed (or read from
the parse cache, ``kg.cache``), extracted to plain data, and its spaCy Docs dropped, so memory
holds one batch of Docs plus the extractions. With ``workers`` > 1 the batches go to worker
processes, each loading the model once; results come back in input order, so the graph is the
same as with one worker. Entity resolution across documents and the graph are made after.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from rdflib import Graph

from . import entities as entities_stage
from . import mentions as mentions_stage
from . import relations as relations_stage
from .cache import ExtractionCache, extraction_fingerprint, open_cache, rules_digest
from .graph import corpus_triples, graph_of
from .io import Skipped, read_inputs
from .model import DocExtraction, Document, ResolvedEntity, Sentence
from .parse import BATCH_DOCUMENTS, DEFAULT_MODEL, Parsed, in_batches, one_thread_pools, parse_batch, start_numpy_single_threaded
from .vocab import KG, relations

log = logging.getLogger(__name__)

# Documents a worker process takes at a time: fewer than a batch, so that near the end no worker
# waits long for the others (BENCHMARKS.md: batches of 4 parse as fast as of 16, and the same).
WORKER_BATCH_DOCUMENTS = 4


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
    # documents parsed now / not parsed (parse or extraction read from the cache) / whose
    # extraction was read from the cache
    parsed: int = 0
    cached: int = 0
    reused: int = 0
    workers: int = 1
    # seconds spent in each stage, summed over workers: parse, cache (reading parses), mentions,
    # entities (per document), resolve (across documents), relations, graph
    stage_seconds: Counter = field(default_factory=Counter)

    @property
    def entities(self) -> int:
        return sum(self.entities_by_class.values())


class KnowledgeGraph(Graph):
    """An rdflib Graph that also carries the build's report and per-document extractions."""

    report: BuildReport
    extractions: list[DocExtraction]


def extract_document(parsed: Parsed, ruleset) -> DocExtraction:
    """Mentions, entities and facts of one parsed document, as plain data. ``stats`` holds the
    seconds each stage took (and the parse's, from ``parsed``), for the build report."""
    t0 = time.perf_counter()
    sentences: list[Sentence] = []
    candidates = []
    for offset, doc in parsed.chunks:
        base = len(sentences)
        for s in doc.sents:
            text = s.text
            lead = len(text) - len(text.lstrip())
            trail = len(text) - len(text.rstrip())
            # a blank "sentence" (GiNZA splits off runs of newlines) is kept here, so that indexes
            # agree with the chunk's doc.sents, and dropped at the end
            sentences.append(Sentence(offset + s.start_char + lead, offset + s.end_char - trail) if text.strip() else None)
        candidates.extend(mentions_stage.detect(doc, offset, base))
    t1 = time.perf_counter()
    mentions, ents = entities_stage.resolve_document(candidates)
    t2 = time.perf_counter()
    by_key = {e.key: e for e in ents}
    facts = []
    state: dict = {}
    base = 0
    for offset, doc in parsed.chunks:
        facts.extend(relations_stage.extract(doc, offset, base, mentions, by_key, ruleset, state))
        base += sum(1 for _ in doc.sents)
    facts.extend(relations_stage.extract_across(facts, by_key, ruleset, state))
    t3 = time.perf_counter()
    stats = {"cache" if parsed.cached else "parse": parsed.seconds, "mentions": t1 - t0, "entities": t2 - t1, "relations": t3 - t2}
    kept, mentions, facts = _without_blank_sentences(sentences, mentions, facts)
    return DocExtraction(parsed.document, kept, tuple(mentions), tuple(ents), tuple(facts), stats)


def _without_blank_sentences(sentences, mentions, facts):
    """Drop blank sentences (None) and renumber the sentence indexes of mentions and facts
    (which never point at a blank one: it holds no words)."""
    if None not in sentences:
        return tuple(sentences), mentions, facts
    new_index, kept = {}, []
    for i, s in enumerate(sentences):
        if s is not None:
            new_index[i] = len(kept)
            kept.append(s)
    return (
        tuple(kept),
        [replace(m, sentence=new_index[m.sentence]) for m in mentions],
        [replace(f, sentence=new_index[f.sentence]) for f in facts],
    )


def extract_batch(documents: list[Document], ruleset, model: str = DEFAULT_MODEL, cache=None, extracted=None) -> list[DocExtraction]:
    """Extract one batch of documents: each is read from the extraction cache ``extracted``, or
    parsed (or read from the parse cache ``cache``) and extracted. The model is loaded only when
    some document is in neither cache."""
    out: list[DocExtraction | None] = [None] * len(documents)
    if extracted is not None:
        for i, doc in enumerate(documents):
            t0 = time.perf_counter()
            ex = extracted.get(doc)
            if ex is not None:
                out[i] = replace(ex, stats={"cache": time.perf_counter() - t0, "reused": True})
    todo = [i for i, ex in enumerate(out) if ex is None]
    if todo:
        start_numpy_single_threaded()  # before GiNZA (or e2k, on cached parses) loads it
    for i, parsed in zip(todo, parse_batch(model, [documents[i] for i in todo], cache)):
        out[i] = extract_document(parsed, ruleset)
        if extracted is not None:
            extracted.put(out[i])
    return out


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
    learned: bool = True,
    encoding: str | None = None,
    model: str = DEFAULT_MODEL,
    cache=True,
    workers: int = 1,
    on_document: Callable[[Document], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> KnowledgeGraph:
    """Build the knowledge graph of ``inputs`` (paths) and/or ``documents`` (texts).

    Returns a KnowledgeGraph (an rdflib Graph) whose ``report`` says what was built and skipped.
    ``cache`` is where parses are kept (see ``kg.cache``): True for the default directory
    (``$KG_CACHE_DIR`` or ``~/.cache/kg``), a directory, or None for none. ``learned=False``
    leaves out the pair classifiers (kg/relations/learned.py, docpairs.py): facts from the rules only. ``workers`` processes
    parse and extract in parallel (0: one per CPU); the graph does not depend on it.
    Callbacks let a caller show progress: ``on_start(total)``, ``on_document(doc)`` after each
    document, ``on_skip(skipped)`` for each input that could not be read.
    """
    started = time.perf_counter()
    ruleset = relations_stage.load_rules(tuple(str(r) for r in rules), learned)
    for source in (ruleset.learned, ruleset.documents):
        if source is not None:
            source.load()  # a missing or broken model fails here, before any parsing
    report = BuildReport()
    docs = list(read_documents(inputs, documents, report, encoding=encoding, on_skip=on_skip))
    if on_start:
        on_start(len(docs))
    report.workers = resolve_workers(workers, len(docs))
    parse_cache = open_cache(cache, model) if docs else None
    extracted = ExtractionCache(parse_cache, extraction_fingerprint(model, rules_digest(rules, learned))) if parse_cache else None
    extractions: list[DocExtraction] = []
    for ex in extract_documents(docs, ruleset, model=model, cache=parse_cache, extracted=extracted, workers=report.workers):
        extractions.append(ex)
        if on_document:
            on_document(ex.document)
    t0 = time.perf_counter()
    resolved = entities_stage.resolve_corpus([(ex.document.id, ex.entities) for ex in extractions])
    t1 = time.perf_counter()
    triples = corpus_triples(extractions, resolved)
    graph = graph_of(triples, KnowledgeGraph)
    report.stage_seconds.update(resolve=t1 - t0, graph=time.perf_counter() - t1)
    _fill_report(report, extractions, resolved, triples)
    report.seconds = time.perf_counter() - started
    log.info("built %d documents (%d parsed, %d from the parse cache) in %.1fs; stages: %s", report.documents,
             report.parsed, report.cached, report.seconds,
             ", ".join(f"{k} {v:.2f}s" for k, v in sorted(report.stage_seconds.items())))
    graph.report = report
    graph.extractions = extractions
    return graph


def read_documents(inputs: Sequence[str], documents: Iterable | None, report: BuildReport, *,
                   encoding: str | None = None, on_skip: Callable[[Skipped], None] | None = None) -> Iterator[Document]:
    """The Documents of ``inputs`` (paths) then ``documents`` (texts), in order; inputs that cannot
    be read go to ``report.skipped`` and ``on_skip``."""
    for item in read_inputs(inputs, encoding=encoding):
        if isinstance(item, Skipped):
            report.skipped.append(item)
            if on_skip:
                on_skip(item)
        else:
            yield item
    if documents is not None:
        yield from as_documents(documents)


def resolve_workers(workers: int, documents: int) -> int:
    """How many processes to use: ``workers`` (0 means one per CPU), never more than there are
    batches of documents."""
    wanted = workers if workers > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, -(-documents // BATCH_DOCUMENTS)))


def extract_documents(docs: Iterable[Document], ruleset, *, model: str = DEFAULT_MODEL, cache=None, extracted=None,
                      workers: int = 1) -> Iterator[DocExtraction]:
    """Parse and extract ``docs`` in batches, in ``workers`` processes; yields in input order.
    ``cache`` and ``extracted`` are the parse and extraction caches (or None)."""
    batches = in_batches(docs, BATCH_DOCUMENTS if workers <= 1 else WORKER_BATCH_DOCUMENTS)
    if workers <= 1:
        for batch in batches:
            yield from extract_batch(batch, ruleset, model, cache, extracted)
        return
    with worker_pool(workers, _init_worker, (ruleset, model, cache, extracted)) as pool:
        for extractions in pool.map(_worker_batch, batches):
            yield from extractions


@contextmanager
def worker_pool(workers: int, initializer, initargs):
    """A pool of fresh (spawned) processes with their thread pools pinned to one thread (the
    processes already use every core). A worker that dies breaks the pool (BrokenProcessPool)
    instead of being replaced forever."""
    with one_thread_pools():  # read by the workers as they start, which is when work is submitted
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=initializer, initargs=initargs)
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        # all work is done: the workers exit (a model's teardown takes about a second) while the
        # caller goes on to the graph; the interpreter waits for them before it exits
        pool.shutdown(wait=False)


_WORKER: dict = {}


def _init_worker(ruleset, model, cache, extracted) -> None:
    _WORKER.update(ruleset=ruleset, model=model, cache=cache, extracted=extracted)


def _worker_batch(documents: list[Document]) -> list[DocExtraction]:
    return extract_batch(documents, _WORKER["ruleset"], _WORKER["model"], _WORKER["cache"], _WORKER["extracted"])


def _fill_report(report: BuildReport, extractions, resolved: dict[tuple[str, str], ResolvedEntity], triples: list) -> None:
    report.documents = len(extractions)
    report.sentences = sum(len(ex.sentences) for ex in extractions)
    report.mentions = sum(len(ex.mentions) for ex in extractions)
    seen = {}
    for ent in resolved.values():
        seen[ent.key] = ent.cls
    report.entities_by_class = Counter(seen.values())
    by_predicate = Counter(p for _s, p, _o in triples)
    report.facts_by_relation = Counter({name: by_predicate[KG[name]] for name in relations() if by_predicate[KG[name]]})
    report.statements = sum(len(ex.facts) for ex in extractions)
    report.triples = len(triples)
    report.cached = sum(1 for ex in extractions if "cache" in ex.stats)
    report.reused = sum(1 for ex in extractions if ex.stats.get("reused"))
    report.parsed = report.documents - report.cached
    for ex in extractions:
        report.stage_seconds.update({k: v for k, v in ex.stats.items() if isinstance(v, float)})
    report.parse_seconds = report.stage_seconds["parse"]
