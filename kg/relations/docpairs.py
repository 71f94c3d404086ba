"""A learned source of relation facts across sentences: a document-level pair classifier.

The sentence classifier (learned.py) reads pairs of mentions of one sentence. Most of what an
encyclopaedia article says across sentences is about what its first sentence names: the place
it is in (ベルゲンは、ノルウェーの都市。… 首都オスロ …: オスロ in ノルウェー), the person's
schools, teams and awards (…は、日本の政治家。… 東京大学を卒業). Candidates here are the pairs of
entities of one document of which one is named in the first sentence and the two never share a
sentence, with classes that fit a relation's domain and range (learned.fitting_labels), and
that no fact of the rules or the sentence classifier already relates.

Each pair is described by feature strings read off plain records of the mentions (``Spot``,
taken by the engine sentence by sentence, so no spaCy object is kept): the two classes, place
levels and last characters, the particle after each mention and the word governing it, the first
sentence's closing noun (都市, 郡, 政治家), whether the first-sentence side is the document's lead
entity and whether it is the (carried) topic of the other's sentence, how far the other's first
mention is, how many countries the document names, whether one name contains the other
(ドイツ連邦銀行 / ドイツ), and world knowledge: whether ontologies/places.tsv knows the one place to
lie in the country the other names (built by scripts/build_places.py from GeoNames and iso-codes).
A maximum-entropy model like the sentence classifier's gives each label a probability.

The model (ontologies/relation-docpairs.model) and its settings (relation-docpairs.json: the
thresholds, as learned.py's, and a fact's confidence: the precision measured by document-level
cross-validation) are written by scripts/train_relations.py on JacRED dev. Facts carry the rule id
``learned:doc-pair.v1``, ``learned=True`` and ``inferred=True``; each cites the first mention of
the side outside the first sentence (its sentence and span), as the lead rules' facts do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import lexicon
from ..lexicon import nfkc
from ..model import Fact
from .learned import _phrase_head, classified, fitting_labels, load_model, place_knowledge
from .matchers import place_level
from .syntax import Sentence

RULE_ID = "learned:doc-pair.v1"
MODEL_FILE = "relation-docpairs.model"
SETTINGS_FILE = "relation-docpairs.json"
__all__ = ["RULE_ID", "DocCandidate", "DocPairClassifier", "Spot", "candidates", "spots"]


@dataclass(frozen=True)
class Spot:
    """One entity mention as the document classifier reads it: where it is, its class and
    place level (1 a country), the particle after its phrase and the lemma of the word that
    governs the phrase, and the key of its sentence's (carried) topic."""

    key: str
    sentence: int
    begin: int
    end: int
    text: str
    cls: str
    level: int | None
    particle: str
    governor: str
    topic: str
    closing: str  # the lemma closing the sentence (its predicate noun or verb)


@dataclass(frozen=True)
class DocCandidate:
    """A pair of entities of one document that share no sentence: ``first`` is named in the
    first sentence. ``sentence``/``begin``/``end`` are the first mention of ``second``, which a
    fact cites. ``labels`` as in learned.Candidate; ``ruled`` is always empty (ruled pairs are
    no candidates) and kept so the training code reads both kinds of candidate alike."""

    first: str
    second: str
    sentence: int
    begin: int
    end: int
    labels: tuple[str, ...]
    features: tuple[str, ...]
    ruled: frozenset = frozenset()


def spots(s: Sentence) -> list[Spot]:
    """The spots of the sentence's entity mentions."""
    doc = s.doc
    k = s.span.end - 1
    while k > s.span.start and doc[k].pos_ in ("PUNCT", "AUX", "SYM"):
        k -= 1
    closing = doc[k].lemma_ if len(s.span) else ""
    topic = s.topic.key if s.topic is not None else ""
    out = []
    for start, end, key in s.mentions:
        cls = s.cls(key)
        if cls is None:
            continue
        text = doc[start:end].text
        head = _phrase_head(s, start, end, key)
        gov = head.head
        out.append(Spot(key, s.index, s.offset + doc[start].idx, s.offset + doc[end - 1].idx + len(doc[end - 1].text), text, cls,
                        place_level(s, start, end, text) if cls == "Place" else None, s.particle(head) or "-",
                        gov.lemma_ if gov.i != head.i else "ROOT", topic, closing))
    return out


def candidates(spotted: Sequence[Spot], facts: Sequence[Fact], lead: str | None) -> list[DocCandidate]:
    """Every pair of entities (one of the first sentence, one never in a sentence with it) whose
    classes fit some relation and that no fact relates."""
    if not spotted:
        return []
    by_key: dict[str, list[Spot]] = {}
    for sp in spotted:
        by_key.setdefault(sp.key, []).append(sp)
    first_sentence = min(sp.sentence for sp in spotted)
    leads = [k for k, sps in by_key.items() if sps[0].sentence == first_sentence]
    if not leads:
        return []
    related = {frozenset((f.subject, f.object)) for f in facts}
    where, country_names = lexicon.places(), lexicon.country_names()
    country_of = {k: _country_of(sps, where, country_names) for k, sps in by_key.items()}
    doc_countries = set(country_of.values()) - {None}
    n_countries = min(len(doc_countries), 3)
    in_sentence: dict[int, set[str]] = {}
    for sp in spotted:
        in_sentence.setdefault(sp.sentence, set()).add(sp.key)
    roles: dict[str, set[str]] = {}  # key -> the relations the facts give it, with the other side a country or not
    for f in facts:
        if f.asserted:
            roles.setdefault(f.subject, set()).add(f"{f.relation}>{country_of.get(f.object) is not None}")
            roles.setdefault(f.object, set()).add(f"{f.relation}<{country_of.get(f.subject) is not None}")
    ctx = _Context(where, country_names, country_of, doc_countries, n_countries, in_sentence, roles)
    closing = by_key[leads[0]][0].closing
    out = []
    for a in leads:
        sa = by_key[a]
        a_sents = {sp.sentence for sp in sa}
        a0 = sa[0]
        for b, sb in by_key.items():
            if b == a or a_sents & {sp.sentence for sp in sb} or frozenset((a, b)) in related:
                continue
            labels = fitting_labels(a0.cls, sb[0].cls)
            if not labels:
                continue
            feats = _features(sa, sb, a == lead, closing, ctx)
            b0 = sb[0]
            out.append(DocCandidate(a, b, b0.sentence, b0.begin, b0.end, labels, tuple(feats)))
    return out


def _country_of(sps: Sequence[Spot], where, country_names) -> str | None:
    """The country an entity names (its own form in places.tsv), if it is one."""
    for sp in sps:
        name = nfkc(sp.text)
        if name in country_names:
            return min(where[name])
    for sp in sps:
        if sp.level == 1:
            return nfkc(sp.text)
    return None


def _level(sp: Spot, country_names) -> str:
    return "1" if nfkc(sp.text) in country_names else str(sp.level or "-")


@dataclass(frozen=True)
class _Context:
    """What the features of every pair of one document read: places.tsv (name -> countries, the
    names of countries), the country each entity names, the countries of the document and how
    many (3 for more), the entities of each sentence, and the relations the facts give each entity."""

    where: dict
    country_names: frozenset
    country_of: dict
    doc_countries: set
    n_countries: int
    in_sentence: dict
    roles: dict


def _features(sa: Sequence[Spot], sb: Sequence[Spot], is_lead: bool, closing: str, ctx: _Context) -> list[str]:
    where, country_names, country_of = ctx.where, ctx.country_names, ctx.country_of
    n_countries = ctx.n_countries
    a0, b0 = sa[0], sb[0]
    ca, cb = a0.cls, b0.cls
    la, lb = _level(a0, country_names), _level(b0, country_names)
    ta, tb = nfkc(a0.text), nfkc(b0.text)
    dist = b0.sentence - a0.sentence
    f = ["bias", f"ca={ca}", f"cb={cb}", f"cc={ca}|{cb}", f"lead={is_lead}|{ca}|{cb}", f"lv={la}|{lb}",
         f"za={ta[-1:]}", f"zb={tb[-1:]}", f"zz={ta[-1:]}|{tb[-1:]}", f"close={closing}", f"closecc={closing}|{ca}|{cb}",
         f"pa={a0.particle}", f"ga={a0.governor}", f"pga={a0.particle}|{a0.governor}",
         f"dist={min(dist, 6) if dist >= 0 else -1}", f"nb={min(len(sb), 4)}", f"na={min(len(sa), 4)}",
         f"nc={n_countries}|{la}|{lb}"]
    for sp in sb[:4]:
        f += [f"pb={sp.particle}", f"gb={sp.governor}", f"pgb={sp.particle}|{sp.governor}", f"cpgb={cb}|{sp.particle}|{sp.governor}"]
        if sp.topic == a0.key:
            f += ["topic_a", f"topic_pgb={sp.particle}|{sp.governor}", f"topic_cgb={ca}|{cb}|{sp.governor}"]
    if ta and tb:
        if ta in tb:
            f.append("b_contains_a")
        elif tb in ta:
            f.append("a_contains_b")
    for side, sps in (("a", sa), ("b", sb)):
        for r in sorted(ctx.roles.get(sps[0].key, ())):
            f.append(f"role_{side}={r}")
    near = {k for sp in sb[:3] for k in ctx.in_sentence.get(sp.sentence, ())} - {a0.key, b0.key}
    near_countries = {country_of.get(k) for k in near} - {None}
    f.append(f"b_near_country={min(len(near_countries), 2)}|{country_of.get(a0.key) is not None}")
    # world knowledge: one side a place known to lie in the country the other names
    ctry_a, ctry_b = country_of[a0.key], country_of[b0.key]
    in_b = ctry_b is not None and any(ctry_b in where.get(nfkc(sp.text), ()) for sp in sa) and ctry_a is None
    in_a = ctry_a is not None and any(ctry_a in where.get(nfkc(sp.text), ()) for sp in sb) and ctry_b is None
    if in_b:
        f.append(f"gaz_a_in_b|{ca}")
    if in_a:
        f.append(f"gaz_b_in_a|{cb}")
    # the same by the longest start of a name places.tsv knows (ワシントン州レドモンド)
    if ctry_b is not None and ctry_a is None and not in_b and ctry_b in place_knowledge([sp.text for sp in sa])[2]:
        f.append(f"pgaz_a_in_b|{ca}")
    if ctry_a is not None and ctry_b is None and not in_a and ctry_a in place_knowledge([sp.text for sp in sb])[2]:
        f.append(f"pgaz_b_in_a|{cb}")
    for sps, side, own in ((sa, "a", ctry_a), (sb, "b", ctry_b)):
        if own is None:
            known = set().union(*(where.get(nfkc(sp.text), frozenset()) for sp in sps))
            if known:
                f.append(f"gaz_{side}_known|{bool(known & ctx.doc_countries)}")
    return f


# ---------------------------------------------------------------- the classifier


@dataclass(frozen=True)
class DocPairClassifier:
    """The document-level learned source of the relations stage (``RuleSet.documents``); like
    learned.PairClassifier it holds only where its model is and opens it once per process."""

    model: str = ""  # a model file; "" for the shipped ontologies/relation-docpairs.model

    def load(self) -> tuple:
        return load_model(self.model, MODEL_FILE, SETTINGS_FILE, "document pair classifier")

    def facts(self, spotted: Sequence[Spot], facts: Sequence[Fact], lead: str | None) -> list[Fact]:
        pairs = candidates(spotted, facts, lead)
        if not pairs:
            return []
        return [fact_of(c, label, conf) for c, label, conf in classified(self.load(), pairs)]


def fact_of(c: DocCandidate, label: str, confidence: float) -> Fact:
    """The fact ``label`` (``rel>`` or ``rel<``) gives for the pair ``c``, citing ``c.second``'s first mention."""
    subj, obj = (c.first, c.second) if label[-1] == ">" else (c.second, c.first)
    return Fact(subject=subj, relation=label[:-1], object=obj, sentence=c.sentence, begin=c.begin, end=c.end, rule=RULE_ID,
                confidence=round(confidence, 3), inferred=True, learned=True)
