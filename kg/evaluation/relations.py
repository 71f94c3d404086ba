"""The ``relations`` scorer: the graph's direct triples against gold relations.

Predicted facts are the *asserted* ones (the direct triples of the graph: not negated, no
modality, not ``related``). A fact's subject and object are read as gold entities through the
mention alignment of align.py (document-local keys).

seed (seed-gold.json)
  A predicted triple (subject, relation, object), counted once per document, is a true hit when
  it is a required gold triple, ignored when it is an ``optional`` one, and a false hit otherwise
  — also when an entity aligns to no gold entity. Symmetric relations match either way round.
  ``figures['qualified_statements']`` counts the negated or hedged occurrences (Statements that
  are not direct triples).

jacred (JacRED dev)
  Gold: the triples whose Wikidata property the ``jacred`` column of relations.tsv maps to one of
  our relations ("in scope"); triples that express the same fact (P1830(A,B) and P127(B,A)) count
  once. ``all``: every in-scope gold fact; ``same-sentence``: those whose two entities share a
  sentence. Predicted: asserted facts whose relation maps to JacRED and whose two entities align
  to two different gold entities; facts that would match the same gold triples count once (ceoOf
  and worksFor both mean P108). Precision = gold facts hit / (gold facts hit + predicted facts
  matching no gold triple); for ``same-sentence`` only predictions whose two gold entities share
  a sentence count against it. ``by_type`` breaks ``all`` down by Wikidata property;
  ``figures['by_rule']`` gives each rule's true and false predictions (what bench/calibrate_rules.py
  turns into confidences).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from ..model import DocExtraction, Fact
from ..vocab import relations
from . import scorer
from .entities import scored_gold
from .gold import GoldDocument, GoldTriple, jacred_mapping
from .run import Run
from .score import PRF, Item, PRFByType, Score


@scorer("relations")
def score_relations(run: Run) -> Score | None:
    scored = score_with_rules(run)
    return scored[0] if scored is not None else None


def score_with_rules(run: Run) -> tuple[Score, list[tuple[str, Fact, bool]]] | None:
    """The score, and every judged fact as (document id, fact, correct): the asserted facts the
    score counted as true or false (bench/calibrate_rules.py measures each rule's precision from
    them)."""
    if run.gold.dataset == "seed":
        return _score_seed(run)
    if run.gold.dataset == "jacred":
        return _score_jacred(run)
    return None


def _asserted(ex: DocExtraction):
    return [f for f in ex.facts if f.asserted]


def _names(ex: DocExtraction) -> dict[str, str]:
    return {e.key: e.label for e in ex.entities}


def _key(rel: str, s: str, o: str) -> tuple[str, str, str]:
    """A triple in a canonical orientation: symmetric relations sorted."""
    if relations()[rel].symmetric and o < s:
        s, o = o, s
    return (s, rel, o)


# ---------------------------------------------------------------- seed


def _score_seed(run: Run) -> Score:
    total = PRF()
    by_rel = PRFByType()
    misses, false_hits = [], []
    judged: list[tuple[str, Fact, bool]] = []
    hedged = 0
    for full in run.gold.documents:
        gold = scored_gold(full, run.gold.scheme)
        ex = run.extractions[gold.id]
        al = run.alignment(gold)
        names = _names(ex)
        required = {_key(t.relation, t.head, t.tail): t for t in gold.triples if not t.optional}
        optional = {_key(t.relation, t.head, t.tail) for t in gold.triples if t.optional}
        predicted: dict[tuple, list] = {}
        for f in _asserted(ex):
            s, o = al.gold_of.get(f.subject), al.gold_of.get(f.object)
            key = _key(f.relation, s or f"?{names.get(f.subject, f.subject)}", o or f"?{names.get(f.object, f.object)}")
            predicted.setdefault(key, []).append(f)
        for key, facts in sorted(predicted.items()):
            if key in required:
                total.tp += 1
                by_rel[key[1]].tp += 1
                judged.extend((gold.id, f, True) for f in facts)
            elif key in optional:
                continue
            else:
                total.fp += 1
                by_rel[key[1]].fp += 1
                judged.extend((gold.id, f, False) for f in facts)
                f = facts[0]
                false_hits.append(Item(gold.id, f"{key[0]} {key[1]} {key[2]}", key[1], f.begin, f.end,
                                       f"{f.rule}: {full.text[f.begin:f.end]}"))
        for key, t in sorted(required.items()):
            if key not in predicted:
                total.fn += 1
                by_rel[key[1]].fn += 1
                found = [g for g in (t.head, t.tail) if g not in al.keys_of]
                note = ("entity not found: " + ", ".join(found)) if found else "both entities found"
                misses.append(Item(gold.id, f"{key[0]} {key[1]} {key[2]}", key[1], note=note))
        hedged += sum(1 for f in ex.facts if (f.negated or f.modality) and f.relation != "related")
    figures = {"qualified_statements": hedged}
    notes = ["direct triples only (asserted facts); optional gold triples are neither hits nor errors",
             "a triple with an entity that aligns to no gold entity is a false hit"]
    return Score("relations", {"triples": total}, dict(by_rel), misses, false_hits, figures, notes), judged


# ---------------------------------------------------------------- JacRED


@lru_cache(maxsize=1)
def _jacred_keys_of() -> dict[str, tuple[tuple[str, bool], ...]]:
    """Our relation -> ((Wikidata property, inverse), ...)."""
    out: dict[str, list] = defaultdict(list)
    for prop, pairs in jacred_mapping().items():
        for rel, inverse in pairs:
            out[rel].append((prop, inverse))
    return {k: tuple(v) for k, v in out.items()}


def _jacred_keys(rel: str, s: str, o: str) -> frozenset[tuple[str, str, str]]:
    keys = set()
    for prop, inverse in _jacred_keys_of().get(rel, ()):
        keys.add((prop, o, s) if inverse else (prop, s, o))
    if relations()[rel].symmetric:
        keys |= {(p, b, a) for p, a, b in keys}
    return frozenset(keys)


def gold_facts(doc: GoldDocument) -> list[dict]:
    """The in-scope gold triples of a document, merged where they state the same fact."""
    groups: list[dict] = []
    for t in doc.triples:
        if not t.accept:
            continue
        keys = {(t.relation, t.head, t.tail)}
        for s, rel, o in t.accept:
            keys |= _jacred_keys(rel, s, o)
        for g in groups:
            if g["keys"] & keys:
                g["keys"] |= keys
                g["triples"].append(t)
                g["same"] = g["same"] or bool(t.same_sentence)
                break
        else:
            groups.append({"keys": keys, "triples": [t], "same": bool(t.same_sentence)})
    for g in groups:
        g["gold_keys"] = {(t.relation, t.head, t.tail) for t in g["triples"]}
    return groups


def _label(t: GoldTriple) -> str:
    return t.relation


def _score_jacred(run: Run) -> Score:
    every, same = PRF(), PRF()
    by_prop = PRFByType()
    misses, false_hits = [], []
    judged: list[tuple[str, Fact, bool]] = []
    unaligned = predicted_total = 0
    for full in run.gold.documents:
        gold = scored_gold(full, run.gold.scheme)
        ex = run.extractions[gold.id]
        al = run.alignment(gold)
        names = {e.id: e.names[0] for e in full.entities}
        sents = _sentences_of(full)
        groups = gold_facts(full)
        gold_keys = {k for g in groups for k in g["gold_keys"]}
        units: dict[frozenset, list] = {}
        for f in _asserted(ex):
            if f.relation not in _jacred_keys_of():
                continue
            s, o = al.gold_of.get(f.subject), al.gold_of.get(f.object)
            if s is None or o is None:
                unaligned += 1
                continue
            if s == o:
                continue
            units.setdefault(_jacred_keys(f.relation, s, o), []).append((f, s, o))
        predicted_total += len(units)
        hit_groups = set()
        for keys, facts in units.items():
            matched = [n for n, g in enumerate(groups) if keys & g["gold_keys"]]
            judged.extend((gold.id, fact, bool(matched)) for fact, _, _ in facts)
            f, s, o = facts[0]
            together = bool(sents.get(s, set()) & sents.get(o, set()))
            if matched:
                hit_groups.update(matched)
                continue
            every.fp += 1
            if together:
                same.fp += 1
            prop = sorted(p for p, _, _ in keys)[0]
            by_prop[prop].fp += 1
            false_hits.append(Item(gold.id, f"{names.get(s, s)} {f.relation} {names.get(o, o)}", f.relation, f.begin, f.end,
                                   f"{f.rule}: {full.text[f.begin:f.end]}"))
        for n, g in enumerate(groups):
            t = g["triples"][0]
            hit = n in hit_groups
            prf_list = [every, by_prop[_label(t)]] + ([same] if g["same"] else [])
            for prf in prf_list:
                if hit:
                    prf.tp += 1
                else:
                    prf.fn += 1
            if not hit:
                found = [x for x in (t.head, t.tail) if x not in al.keys_of]
                note = ("same sentence" if g["same"] else "across sentences") + (
                    "; entity not found: " + ", ".join(names.get(x, x) for x in found) if found else "")
                misses.append(Item(gold.id, f"{names.get(t.head, t.head)} {t.relation} {names.get(t.tail, t.tail)}",
                                   t.relation, note=note))
    misses.sort(key=lambda i: (i.type, i.note.split(";")[0] != "same sentence", i.document))
    false_hits.sort(key=lambda i: (i.type, i.document, i.begin or 0))
    figures = {"gold_in_scope": every.tp + every.fn, "gold_same_sentence": same.tp + same.fn,
               "predicted": predicted_total, "facts_unaligned": unaligned}
    notes = [
        "gold: triples whose property the jacred column of relations.tsv maps to our relations, equivalent ones merged",
        "predicted: direct triples whose relation maps to JacRED and whose two entities align to gold entities",
        "precision = gold facts hit / (hit + predictions matching no gold triple)",
    ]
    return Score("relations", {"all": every, "same-sentence": same}, dict(by_prop), misses, false_hits, figures, notes), judged


def _sentences_of(doc: GoldDocument) -> dict[str, set[int]]:
    """Gold entity id -> the sentences (numbered by position) its mentions are in."""
    bounds = _sentence_bounds(doc.text)
    out: dict[str, set[int]] = defaultdict(set)
    for m in doc.mentions:
        n = sum(1 for b in bounds if b <= m.begin) - 1
        out[m.entity].add(n)
    return out


def _sentence_bounds(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch in "。！？!?\n" and i + 1 < len(text):
            starts.append(i + 1)
    return starts
