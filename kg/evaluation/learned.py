"""Training data and cross-validation for the pair classifier (kg/relations/learned.py).

``collect`` runs the pipeline over JacRED dev with the rules and a recorder in place of the
classifier: every candidate pair of mentions with its features, and the rules' facts. ``label``
reads each pair's gold label through the scorer's mention alignment: ``rel>`` or ``rel<`` when
the gold data relates the two aligned entities by a triple that our relation ``rel`` expresses,
else ``O``. ``cross_validate`` trains on the documents of k-1 folds and predicts the others;
``score`` adds the facts a threshold lets through to the rules' facts and scores them with the
relation scorer (relations.py), so the figures are those of ``kg eval``. ``choose_threshold``
picks the thresholds (one, held higher for the relations ``relation_floors`` finds weak),
``choose_c2`` the L2 weight, and ``nested`` measures both choices made inside each fold.
bench/relations_learned_cv.py and scripts/train_relations.py are thin over this.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..cache import open_cache
from ..entities import resolve_corpus
from ..model import Fact
from ..parse import BATCH_DOCUMENTS, DEFAULT_MODEL, in_batches, parse_batch
from ..pipeline import as_documents, extract_document
from ..relations import load_rules
from ..relations import docpairs
from ..relations.learned import NONE, RULE_ID, Candidate, candidates, decide, fact_of, governor_factuality, unruled
from ..vocab import relations
from .entities import scored_gold
from .gold import GoldSet
from .relations import score_with_rules
from .run import Run

# L2-regularised maximum entropy (one-item CRF); fixed settings and L-BFGS make training deterministic
# minfreq 3: a model of 0.8 MB; with every feature (minfreq 1, 3.2 MB) cross-validation found as
# many gold facts at precision 0.76 and a few more at 0.74 (both classifiers at 00e7f39: same-sentence
# 878 -> 886 hits, all 1,417 -> 1,426), within the spread between runs
SETTINGS = {"c1": 0.0, "c2": 1.0, "max_iterations": 200, "feature.minfreq": 3}
C2 = (1.0, 3.0, 10.0)  # the L2 weights tried; each classifier's is chosen by cross-validation (choose_c2)
FOLDS = 5
THRESHOLDS = tuple(round(0.2 + 0.02 * n, 2) for n in range(36))  # 0.2 .. 0.9
# the sentence classifier's facts are let in down to the threshold where rules plus classifier
# still keep 0.75 on all in-scope and on same-sentence gold facts; with the document classifier the
# whole then stays above the 0.70. At b2d7bfc, 0.76 (the value until then) gave CV
# same-sentence R 0.457 at all P 0.739; 0.75 gives R 0.467 at all P 0.730 (nested CV: 0.467 at
# 0.721), margins closer to even on both targets. (At 00e7f39, 0.74 had spent precision for next
# to nothing: same-sentence 870 / 247 -> 878 / 272 hits / false.)
MIN_PRECISION = 0.75
# the document classifier adds facts of lower precision across sentences while the whole stays
# above the 0.70 (two points of margin)
DOC_MIN_PRECISION = 0.72
# a relation's learned facts are let through only where the classifier is right at least as often
# as wrong on them (cross-validated): no relation rides on the others' precision
RELATION_FLOOR = 0.5
# ... and only where cross-validation gave it this many facts at the lowest threshold: a relation
# judged on one or two facts (spouseOf 1 / 1 with every training feature kept) is never let through
RELATION_MIN_FACTS = 5


@dataclass
class Item:
    """One candidate pair as the recorder saw it, with the factuality of its governing word."""

    doc: str
    sentence: int
    candidate: Candidate
    negated: bool
    modality: str | None
    source: str | None
    label: str = NONE
    rule = RULE_ID  # the rule id of the classifier's facts

    def fact(self, label: str, confidence: float) -> Fact:
        return fact_of(self.candidate, label, confidence, self.sentence, self.negated, self.modality, self.source)


@dataclass
class DocItem(Item):
    """One candidate pair of the document classifier (docpairs.py)."""

    rule = docpairs.RULE_ID

    def fact(self, label: str, confidence: float) -> Fact:
        return docpairs.fact_of(self.candidate, label, confidence)


class DocRecorder:
    """Stands in for the document classifier in ``RuleSet.documents``: records every candidate."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.items: list[DocItem] = []

    def facts(self, spotted, facts, lead) -> list[Fact]:
        for c in docpairs.candidates(spotted, facts, lead):
            self.items.append(DocItem(self.recorder.doc, c.sentence, c, False, None, None))
        return []


class Recorder:
    """Stands in for the classifier in ``RuleSet.learned``: records every candidate, adds nothing."""

    def __init__(self) -> None:
        self.doc = ""
        self.items: list[Item] = []

    def facts(self, s, found) -> list[Fact]:
        for c in candidates(s, found):
            self.items.append(Item(self.doc, s.index, c, *governor_factuality(s, c)))
        return []


def collect(gold: GoldSet, cache=True) -> tuple[Run, list[Item], list[DocItem]]:
    """The rules' output over ``gold`` (a Run, as ``kg eval`` makes it), every labelled candidate
    pair of the sentence classifier and every one of the document classifier. Parses come from
    the parse cache."""
    started = time.perf_counter()
    recorder = Recorder()
    doc_recorder = DocRecorder(recorder)
    ruleset = replace(load_rules(learned=False), learned=recorder, documents=doc_recorder)
    docs = as_documents([(d.id, d.text) for d in gold.documents])
    parse_cache = open_cache(cache, DEFAULT_MODEL)
    extractions = {}
    for batch in in_batches(docs, BATCH_DOCUMENTS):
        for parsed in parse_batch(DEFAULT_MODEL, batch, parse_cache):
            recorder.doc = parsed.document.id
            extractions[parsed.document.id] = extract_document(parsed, ruleset)
    resolved = resolve_corpus([(k, ex.entities) for k, ex in extractions.items()])
    run = Run(gold, "kg", extractions, resolved, time.perf_counter() - started)
    label(run, recorder.items)
    label(run, doc_recorder.items)
    return run, recorder.items, doc_recorder.items


def label(run: Run, items: list[Item]) -> None:
    """Set each item's gold label (see the module doc). Where several of our relations express
    the gold triple (P108: worksFor, ceoOf, chairOf...), the one whose own Wikidata mapping is
    the gold property is preferred (worksFor), so a label means what the text says."""
    rels = relations()
    by_doc: dict[str, tuple] = {}
    for full in run.gold.documents:
        gold = scored_gold(full, run.gold.scheme)
        accepted: dict[tuple, int] = {}
        for t in full.triples:
            for s, rel, o in t.accept:
                info = rels[rel]
                rank = 0 if (info.wikidata == t.relation and s == t.head) or (info.wikidata_inverse == t.relation and s == t.tail) else 1
                for key in ((s, rel, o), (o, rel, s)) if info.symmetric else ((s, rel, o),):
                    accepted[key] = min(rank, accepted.get(key, 1))
        by_doc[full.id] = (run.alignment(gold).gold_of, accepted)
    for it in items:
        gold_of, accepted = by_doc[it.doc]
        a, b = gold_of.get(it.candidate.first), gold_of.get(it.candidate.second)
        found = []
        if a is not None and b is not None and a != b:
            for n, lab in enumerate(it.candidate.labels):
                rel = lab[:-1]
                rank = accepted.get((a, rel, b) if lab[-1] == ">" else (b, rel, a))
                if rank is not None:
                    found.append((rank, n, lab))
        it.label = min(found)[2] if found else NONE


def folds(run: Run, k: int = FOLDS) -> dict[str, int]:
    """Document id -> fold, by position in the gold file (deterministic)."""
    return {d.id: n % k for n, d in enumerate(run.gold.documents)}


def train(items: list[Item], path: Path, c2: float = SETTINGS["c2"]) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for it in items:
        trainer.append([list(it.candidate.features)], [it.label])
    trainer.set_params({**SETTINGS, "c2": c2})
    trainer.train(str(path))


def predict(items: list[Item], path: Path) -> list[dict[str, float]]:
    """The probability of each fitting label of each item."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    known = set(tagger.labels())
    out = []
    for it in items:
        tagger.set([list(it.candidate.features)])
        out.append({lab: tagger.marginal(lab, 0) if lab in known else 0.0 for lab in it.candidate.labels})
    return out


def cross_validate(run: Run, items: list[Item], k: int = FOLDS, c2: float = SETTINGS["c2"]) -> list[dict[str, float]]:
    """Out-of-fold label probabilities of every item: each fold predicted by a model trained
    (with L2 weight ``c2``) on the documents of the other folds."""
    fold_of = folds(run, k)
    probs: list[dict[str, float] | None] = [None] * len(items)
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(k):
            path = Path(tmp) / f"fold{n}.model"
            train([it for it in items if fold_of[it.doc] != n], path, c2)
            held = [i for i, it in enumerate(items) if fold_of[it.doc] == n]
            for i, p in zip(held, predict([items[i] for i in held], path)):
                probs[i] = p
    return probs


def learned_facts(run: Run, items: list[Item], probs: list[dict[str, float]], threshold: float | dict,
                  confidence: dict[str, float] | None = None) -> dict[str, list[Fact]]:
    """Document id -> the facts the classifier adds at ``threshold`` (one number, or one per
    relation with "*" for the others), on pairs the rules left alone (as the engine does). A
    fact's confidence is its relation's in ``confidence``, else the label's probability."""
    by_relation = {"*": threshold} if isinstance(threshold, float) else threshold
    out: dict[str, list[Fact]] = {}
    for it, p in zip(items, probs):
        if it.candidate.ruled:
            continue
        lab, q = decide(p, by_relation["*"], by_relation)
        if lab is not None:
            out.setdefault(it.doc, []).append(it.fact(lab, confidence.get(lab[:-1], 0.5) if confidence is not None else q))
    return {doc: unruled(facts, run.extractions[doc].facts) for doc, facts in out.items()}


def relation_floors(run: Run, items: list[Item], probs: list[dict[str, float]], rule: str,
                    base: dict[str, list[Fact]] | None = None, floor: float = RELATION_FLOOR) -> dict[str, float]:
    """Relation -> the lowest of ``THRESHOLDS`` at which the classifier's facts of that relation
    (scored beside the rules' facts and ``base``) are right at least ``floor`` of the time; 1.01
    (never) for a relation whose facts never are, and for one the gold data gives some item of but
    of which the classifier gave fewer than ``RELATION_MIN_FACTS`` facts (none included)."""
    _result, judged = score(run, merged(base or {}, learned_facts(run, items, probs, THRESHOLDS[0])))
    facts: dict[str, list[tuple[float, bool]]] = {it.label[:-1]: [] for it in items if it.label != NONE}
    for _doc, f, ok in judged:
        if f.rule == rule:
            facts.setdefault(f.relation, []).append((f.confidence, ok))
    out = {}
    for rel, seen in sorted(facts.items()):
        out[rel] = 1.01
        if len(seen) < RELATION_MIN_FACTS:
            continue
        for t in THRESHOLDS:
            above = [ok for q, ok in seen if q >= t]
            if above and sum(above) >= floor * len(above):
                out[rel] = t
                break
    return out


def choose_threshold(run: Run, items: list[Item], probs: list[dict[str, float]], base: dict[str, list[Fact]] | None = None,
                     min_precision: float = MIN_PRECISION):
    """(thresholds, score, judged): the thresholds (relation -> threshold, "*" for the others)
    at the lowest of ``THRESHOLDS`` at which the rules' facts (and ``base``, facts added in any
    case) plus the classifier's keep a precision of ``min_precision`` on all in-scope gold facts
    and on the same-sentence ones, each relation held to at least its ``relation_floors``
    threshold; None when none does."""
    floors = relation_floors(run, items, probs, items[0].rule if items else RULE_ID, base)
    for t in THRESHOLDS:
        thresholds = {"*": t, **{rel: max(t, f) for rel, f in sorted(floors.items()) if f > t}}
        result, judged = score(run, merged(base or {}, learned_facts(run, items, probs, thresholds)))
        m = result.metrics
        if m["all"].precision >= min_precision and m["same-sentence"].precision >= min_precision:
            return thresholds, result, judged
    return None


def merged(*added: dict[str, list[Fact]]) -> dict[str, list[Fact]]:
    """Document id -> the facts of every one of ``added``."""
    out: dict[str, list[Fact]] = {}
    for a in added:
        for doc, facts in a.items():
            out.setdefault(doc, []).extend(facts)
    return out


def choose_c2(run: Run, items: list[Item], base: dict[str, list[Fact]] | None = None,
              min_precision: float = MIN_PRECISION, k: int = FOLDS):
    """(c2, out-of-fold probabilities, ``choose_threshold``'s pick) for the L2 weight of ``C2``
    whose k-fold cross-validation finds the most gold facts at its chosen thresholds (the
    smaller weight on a tie); the pick is None when no weight keeps the precision."""
    best = None
    for c2 in C2:
        probs = cross_validate(run, items, k, c2)
        picked = choose_threshold(run, items, probs, base, min_precision)
        hits = picked[1].metrics["all"].tp if picked else -1
        if best is None or hits > best[0]:
            best = (hits, c2, probs, picked)
    return best[1:]


def nested(run: Run, items: list[Item], k: int = FOLDS, base: dict[str, list[Fact]] | None = None,
           min_precision: float = MIN_PRECISION):
    """The score of out-of-fold facts (beside ``base``, as in ``choose_threshold``) when, for
    each fold, the L2 weight and the thresholds are chosen as ``choose_c2`` does by a
    (k-1)-fold cross-validation on the other folds' documents only, and the fold is predicted
    by a model trained on those documents with that weight: nothing is then tuned on the
    documents it is scored on. Returns the score and each fold's (c2, thresholds)."""
    fold_of = folds(run, k)
    added: dict[str, list[Fact]] = {}
    chosen = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(k):
            docs = [d for d in run.gold.documents if fold_of[d.id] != n]
            inner_run = Run(replace(run.gold, documents=docs), run.predictor, {d.id: run.extractions[d.id] for d in docs}, run.resolved)
            inner_items = [it for it in items if fold_of[it.doc] != n]
            inner_base = {d: f for d, f in (base or {}).items() if fold_of[d] != n}
            c2, _probs, picked = choose_c2(inner_run, inner_items, inner_base, min_precision, k - 1)
            t = picked[0] if picked else {"*": 1.01}
            chosen.append((c2, t))
            path = Path(tmp) / f"fold{n}.model"
            train(inner_items, path, c2)
            held = [it for it in items if fold_of[it.doc] == n]
            added.update(learned_facts(run, held, predict(held, path), t))
    return score(run, merged(base or {}, added))[0], chosen


def score(run: Run, added: dict[str, list[Fact]]):
    """The relation score (and judged facts) of the rules' facts plus ``added``."""
    extractions = {k: replace(ex, facts=ex.facts + tuple(added.get(k, ()))) if added.get(k) else ex
                   for k, ex in run.extractions.items()}
    return score_with_rules(Run(run.gold, run.predictor, extractions, run.resolved))


def learned_precision(judged, rule: str = RULE_ID) -> tuple[Counter, Counter]:
    """(right, wrong) counts of the judged facts of the classifier of ``rule``, by relation."""
    right, wrong = Counter(), Counter()
    for _doc, f, ok in judged:
        if f.rule == rule:
            (right if ok else wrong)[f.relation] += 1
    return right, wrong
