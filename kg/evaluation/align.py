"""Align predicted mentions and entities of one document to its gold mentions and entities.

A predicted mention matches the gold mention with exactly its span; failing that, the gold
mention it overlaps most (ties: the earlier one). A predicted entity aligns to the gold entity
most of its matched mentions name (ties: the one matched first in the text), so the relation
scorer can read a fact's subject and object as gold entity ids: ``alignment.gold_of[key]``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import Mention
from .gold import GoldDocument, GoldMention


@dataclass(frozen=True)
class MentionMatch:
    predicted: Mention
    gold: GoldMention
    exact: bool


@dataclass
class Alignment:
    """``matches``: predicted mentions with their gold mention; ``gold_of``: predicted entity key
    -> gold entity id; ``keys_of``: gold entity id -> the predicted entity keys aligned to it."""

    document: str
    matches: list[MentionMatch] = field(default_factory=list)
    gold_of: dict[str, str] = field(default_factory=dict)
    keys_of: dict[str, list[str]] = field(default_factory=dict)
    votes: dict[str, Counter] = field(default_factory=dict)

    def golds_named_by(self, key: str) -> set[str]:
        """Every gold entity some mention of the predicted entity ``key`` matched (more than one:
        the prediction merged different things)."""
        return set(self.votes.get(key, ()))


def match_mentions(predicted: Iterable[Mention], gold: Iterable[GoldMention]) -> list[MentionMatch]:
    """Each predicted mention with its exact gold mention, else the gold mention it overlaps most."""
    gold = sorted(gold, key=lambda g: (g.begin, g.end))
    by_span = {}
    for g in gold:
        by_span.setdefault((g.begin, g.end), g)
    out = []
    for p in predicted:
        g = by_span.get((p.begin, p.end))
        if g is not None:
            out.append(MentionMatch(p, g, True))
            continue
        best, best_overlap = None, 0
        for g in gold:
            if g.begin >= p.end:
                break
            overlap = min(p.end, g.end) - max(p.begin, g.begin)
            if overlap > best_overlap:
                best, best_overlap = g, overlap
        if best is not None:
            out.append(MentionMatch(p, best, False))
    return out


def align(mentions: Iterable[Mention], gold: GoldDocument, key_of=None) -> Alignment:
    """Align one document's predicted mentions (``DocExtraction.mentions``) to its gold.

    ``key_of`` maps a mention's entity key to the key to align (default: the mention's own
    document-local key); pass the corpus-wide key to align graph nodes instead.
    """
    key_of = key_of or (lambda k: k)
    matches = match_mentions(mentions, gold.mentions)
    votes: dict[str, Counter] = {}
    first: dict[tuple[str, str], int] = {}
    for n, m in enumerate(matches):
        key = key_of(m.predicted.entity)
        votes.setdefault(key, Counter())[m.gold.entity] += 2 if m.exact else 1
        first.setdefault((key, m.gold.entity), n)
    al = Alignment(gold.id, matches, votes=votes)
    for key in sorted(votes):
        counts = votes[key]
        best = max(sorted(counts), key=lambda g: (counts[g], -first[(key, g)]))
        al.gold_of[key] = best
        al.keys_of.setdefault(best, []).append(key)
    return al
