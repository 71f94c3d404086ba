"""The ``mentions`` and ``entities`` scorers.

Only gold types the dataset's scheme maps to our classes are scored (JacRED's dates and numbers
are left out); a prediction whose class has no type in the scheme (an Event for JacRED, an Award
for the Wikipedia NER set) is scored only where it overlaps a scored gold mention, as a type
error. Predictions are read as the graph has them: each mention's class is the class of the
graph node (corpus-wide entity) its entity became.

mentions
  ``typed``: exact span and type; ``span``: exact span, any type; ``overlap``: overlapping span
  and type, one to one. ``by_type`` breaks ``typed`` down by type.
entities
  A gold entity is found when a graph node is aligned to it (by mention spans, see align.py).
  ``typed``: found by a node of the gold type; ``found``: by any node. A second node aligned to
  the same gold entity is a false hit (a split). ``figures['one_node_gold_class']`` counts the
  gold entities that are exactly one node, of the gold class, merged with no other gold entity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from . import scorer
from .gold import GoldDocument, TypeScheme
from .run import Run
from .score import PRF, Item, PRFByType, Score


def scored_gold(doc: GoldDocument, scheme: TypeScheme) -> GoldDocument:
    """``doc`` with only the mentions and entities of types the scheme scores."""
    return replace(
        doc,
        mentions=tuple(m for m in doc.mentions if m.type in scheme.labels),
        entities=tuple(e for e in doc.entities if e.type in scheme.labels),
    )


@scorer("mentions")
def score_mentions(run: Run) -> Score | None:
    scheme = run.gold.scheme
    typed, span, overlap = PRF(), PRF(), PRF()
    by_type = PRFByType()
    misses, false_hits = [], []
    for full in run.gold.documents:
        gold = scored_gold(full, scheme)
        ex = run.extractions[gold.id]
        preds = []
        for m in ex.mentions:
            cls = run.node(gold.id, m.entity).cls
            if scheme.of(cls) is None and not any(g.begin < m.end and m.begin < g.end for g in gold.mentions):
                continue  # a type the dataset does not annotate, and no gold there
            preds.append((m, cls))
        gold_spans = defaultdict(list)
        for g in gold.mentions:
            gold_spans[(g.begin, g.end)].append(g)
        hit_gold = set()
        for m, cls in preds:
            same = gold_spans.get((m.begin, m.end), [])
            ok = next((g for g in same if scheme.matches(cls, g.type) and id(g) not in hit_gold), None)
            label = scheme.of(cls) or cls
            if same:
                span.tp += 1
            else:
                span.fp += 1
            if ok is not None:
                hit_gold.add(id(ok))
                typed.tp += 1
                by_type[ok.type].tp += 1
            else:
                typed.fp += 1
                by_type[label].fp += 1
                over = [g for g in gold.mentions if g.begin < m.end and m.begin < g.end]
                note = "; ".join(f"gold {g.text} [{g.type}]" for g in over) or "no gold mention here"
                false_hits.append(Item(gold.id, m.text, label, m.begin, m.end, note))
        span.fn += sum(1 for s in gold_spans if not any((m.begin, m.end) == s for m, _ in preds))
        for g in gold.mentions:
            if id(g) in hit_gold:
                continue
            typed.fn += 1
            by_type[g.type].fn += 1
            over = [(m, c) for m, c in preds if m.begin < g.end and g.begin < m.end]
            note = "; ".join(f"predicted {m.text} [{scheme.of(c) or c}]" for m, c in over) or "not found"
            misses.append(Item(gold.id, g.text, g.type, g.begin, g.end, note))
        _overlap_counts(preds, gold.mentions, scheme, overlap)
    notes = [f"types scored: {', '.join(sorted(scheme.labels))}"]
    if run.gold.dataset == "seed":
        notes.append("seed mentions are every occurrence of a gold alias (the file has no offsets)")
    return Score("mentions", {"typed": typed, "span": span, "overlap": overlap}, dict(by_type), misses, false_hits,
                 {"gold": typed.tp + typed.fn, "predicted": typed.tp + typed.fp}, notes)


def _overlap_counts(preds, gold, scheme, prf: PRF) -> None:
    """One-to-one matching of overlapping spans of the right type, greedily in text order."""
    used = set()
    for m, cls in sorted(preds, key=lambda x: (x[0].begin, x[0].end)):
        g = next((g for g in gold if id(g) not in used and g.begin < m.end and m.begin < g.end
                  and scheme.matches(cls, g.type)), None)
        if g is None:
            prf.fp += 1
        else:
            used.add(id(g))
            prf.tp += 1
    prf.fn += len(gold) - len(used)


@scorer("entities")
def score_entities(run: Run) -> Score | None:
    if not run.gold.has_entities:
        return None  # every gold mention is its own entity: nothing beyond the mention scores
    scheme = run.gold.scheme
    typed, found = PRF(), PRF()
    by_type = PRFByType()
    misses, false_hits = [], []
    split = merged = one_node = gold_total = 0
    for full in run.gold.documents:
        gold = scored_gold(full, scheme)
        ex = run.extractions[gold.id]
        al = run.alignment(gold, nodes=True)
        nodes = {}
        for m in ex.mentions:
            node = run.node(gold.id, m.entity)
            nodes.setdefault(node.key, node)
        golds = {g.id: g for g in gold.entities}
        for key, node in sorted(nodes.items()):
            gid = al.gold_of.get(key)
            label = scheme.of(node.cls) or node.cls
            if gid is None:
                if scheme.of(node.cls) is None:
                    continue
                typed.fp += 1
                found.fp += 1
                by_type[label].fp += 1
                false_hits.append(Item(gold.id, node.label, label, note="names no gold entity"))
            elif al.keys_of[gid][0] != key:
                typed.fp += 1
                found.fp += 1
                by_type[label].fp += 1
                false_hits.append(Item(gold.id, node.label, label, note=f"split: a second node of gold {gid}"))
            if len(al.golds_named_by(key)) > 1:
                merged += 1
        for g in gold.entities:
            gold_total += 1
            keys = [k for k in al.keys_of.get(g.id, []) if k in nodes]
            if not keys:
                typed.fn += 1
                found.fn += 1
                by_type[g.type].fn += 1
                misses.append(Item(gold.id, g.names[0], g.type, note="not found"))
                continue
            found.tp += 1
            node = nodes[keys[0]]
            split += len(keys) > 1
            if scheme.matches(node.cls, g.type):
                typed.tp += 1
                by_type[g.type].tp += 1
                if len(keys) == 1 and len(al.golds_named_by(keys[0])) == 1:
                    one_node += 1
                else:
                    misses.append(Item(gold.id, g.names[0], g.type, note=_shape_note(keys, nodes, al, golds)))
            else:
                typed.fn += 1
                typed.fp += 1
                by_type[g.type].fn += 1
                by_type[scheme.of(node.cls) or node.cls].fp += 1
                misses.append(Item(gold.id, g.names[0], g.type, note=f"node {node.label} typed {node.cls}"))
    figures = {"gold": gold_total, "one_node_gold_class": one_node, "split": split, "merged": merged}
    notes = ["entities are graph nodes; a subclass counts as its parent where the dataset's type is the parent"]
    return Score("entities", {"typed": typed, "found": found}, dict(by_type), misses, false_hits, figures, notes)


def _shape_note(keys, nodes, al, golds) -> str:
    if len(keys) > 1:
        return "split into " + ", ".join(nodes[k].label for k in keys)
    others = sorted(al.golds_named_by(keys[0]) - {al.gold_of[keys[0]]})
    return "merged with " + ", ".join(golds[o].names[0] if o in golds else o for o in others)
