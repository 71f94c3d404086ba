"""Entities stage: type mention candidates and resolve them into entities.

Within a document (``resolve_document``) candidates are clustered by name key, gazetteer entry,
Sudachi normalised form (マイクロソフト -> Microsoft), Latin <-> katakana transliteration
(Altman <-> アルトマン, through e2k), person surname to full name (アルトマン -> サム・アルトマン)
and fuzzy kana matching of transliteration variants (エメット・シアー = エメット・シェアー).
Across documents (``resolve_corpus``) the document entities are clustered again by the same
keys. Incompatible classes never merge, and nothing merges on a bare substring (東京 is not
東京大学). Every surface form is kept as a name of the entity.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from . import lexicon
from .mentions import W_TAGGER, Candidate, has_honorific
from .model import Entity, Mention, ResolvedEntity
from .vocab import classes, compatible, is_a, top_class

_KANA_ONLY = re.compile(r"^[\u30a0-\u30ff]+$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9.\-&' ]*$")
_SPLIT_PARTS = re.compile(r"[・･\s=]+")
FUZZY_KANA_MIN = 0.75
FUZZY_PART_MIN = 0.6  # for the other parts of a person name one part of which is the same
SKELETON_MIN = 0.6  # consonant-skeleton similarity for a Latin and a katakana name to be compared by e2k
DECISIVE = {"gazetteer", "suffix", "prefix", "classifier", "head", "definition", "list", "house", "realm"}  # evidence sources that settle a class


@lru_cache(maxsize=1)
def _c2k():
    import e2k

    return e2k.C2K()


@lru_cache(maxsize=4096)
def latin_to_katakana(name: str) -> str:
    """Katakana for a Latin-script name, word by word (Sam Altman -> サムアルトマン)."""
    words = [w for w in re.split(r"[\s\-]+", name) if w]
    conv = _c2k()
    return "".join(conv(w.lower()) for w in words if w.isascii())


def display_name(text: str) -> str:
    """The surface form as a label: NFKC, inner whitespace collapsed."""
    return " ".join(lexicon.nfkc(text).split())


def name_parts(name: str) -> list[str]:
    return [p for p in _SPLIT_PARTS.split(display_name(name)) if p]


def kana_key(name: str) -> str:
    """A katakana form to compare names across scripts: katakana as is, Latin transliterated."""
    n = display_name(name)
    if _LATIN_NAME.match(n):
        return latin_to_katakana(n)
    k = lexicon.to_katakana(lexicon.name_key(n))
    return k if _KANA_ONLY.match(k) else ""


_SKELETON_FOLD = str.maketrans({"l": "r", "c": "k", "q": "k", "v": "b", "f": "h", "j": "z", "x": "k"})
# the consonant each katakana starts with, in the folded alphabet of _skeleton (h, w, y dropped)
_KANA_CONSONANT = {
    **dict.fromkeys("カキクケコ", "k"), **dict.fromkeys("ガギグゲゴ", "g"), **dict.fromkeys("サシスセソ", "s"),
    **dict.fromkeys("ザジズゼゾヂヅ", "z"), **dict.fromkeys("タチツテト", "t"), **dict.fromkeys("ダデド", "d"),
    **dict.fromkeys("ナニヌネノン", "n"), **dict.fromkeys("バビブベボヴ", "b"), **dict.fromkeys("パピプペポ", "p"),
    **dict.fromkeys("マミムメモ", "m"), **dict.fromkeys("ラリルレロ", "r"),
}


_DIGRAPHS = (("tch", "t"), ("ch", "t"), ("sh", "s"), ("ck", "k"), ("ph", "f"))
_POSTVOCALIC_R = re.compile(r"(?<=[aeiou])r(?![aeiou])")


def _skeleton(latin: str) -> str:
    """Consonants of a Latin word as katakana would keep them: digraphs folded, an r after a
    vowel dropped (Shear -> シアー), doubled letters and h/w/y dropped: altman -> rtmn."""
    word = latin.lower()
    for a, b in _DIGRAPHS:
        word = word.replace(a, b)
    word = _POSTVOCALIC_R.sub("", word)
    out = []
    for ch in word.translate(_SKELETON_FOLD):
        if ch in "aeiouhwy" or not ch.isalpha() or (out and out[-1] == ch):
            continue
        out.append(ch)
    return "".join(out)


def _kana_skeleton(katakana: str) -> str:
    """Consonants of a katakana word the same way: アルトマン -> rtmn."""
    out = []
    for ch in katakana:
        c = _KANA_CONSONANT.get(ch)
        if c and not (out and out[-1] == c):
            out.append(c)
    return "".join(out)


def sounds_alike(latin: str, katakana: str) -> bool:
    """A cheap first test that a Latin name may be a katakana one, before asking e2k: their
    consonant skeletons agree (Altman ~ アルトマン: rtmn = rtmn)."""
    a, b = _skeleton(latin), _kana_skeleton(lexicon.to_katakana(katakana))
    return bool(a and b) and Levenshtein.normalized_similarity(a, b) >= SKELETON_MIN


def kana_similar(a: str, b: str, threshold: float = FUZZY_KANA_MIN) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) < 3:
        return False
    return Levenshtein.normalized_similarity(_fold_kana(a), _fold_kana(b)) >= threshold


def _fold_kana(k: str) -> str:
    """Fold spelling variants of loanwords: small vowels, long marks, ヴ."""
    table = str.maketrans({"ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ", "ー": "", "ヴ": "ブ", "ッ": ""})
    return k.translate(table)


SUBCLASS_SHARE = 0.5


def class_of(evidence: Iterable[tuple[str, int, str]]) -> str | None:
    """The class with the most evidence weight; subclasses add their weight to their top class's.
    A sentence defining the thing (mentions: Xは…都市。) settles it: then only definitions count,
    however many mentions the tagger and Sudachi call it something else (リチャードソン)."""
    evidence = list(evidence)
    stated = [e for e in evidence if e[2].startswith("definition:")]
    scores: Counter = Counter()
    for cls, w, _src in stated or evidence:
        scores[cls] += w
    if not scores:
        return None
    # the kind of thing first, each top class with the weight of its subclasses (日本大学教授:
    # head:大学 Organization 8 and the typer's Company 7 outweigh the title's Person 6 + 3), then
    # the class within it
    kinds: Counter = Counter()
    for cls, w in scores.items():
        kinds[top_class(cls)] += w
    kind = max(sorted(kinds), key=lambda c: kinds[c])
    scores = Counter({cls: w for cls, w in scores.items() if top_class(cls) == kind})
    best = max(sorted(scores), key=lambda c: scores[c])
    # prefer a subclass (Work) over its parent (Product) when both have support; where the two
    # are different labels of the span typer (kg:stockmarkType: Company 法人名 vs Organization
    # その他の組織名), the parent is a vote against the subclass, which then needs SUBCLASS_SHARE
    # of its support (GiNZA's weak Company does not overrule the typer's Organization for a club)
    info = classes()
    top = scores[best]
    for cls in sorted(scores):
        if cls == best or not is_a(cls, {best}) or scores[cls] <= 0:
            continue
        if info[cls].stockmark_type == info[best].stockmark_type or scores[cls] >= SUBCLASS_SHARE * top:
            best = cls
    return best


@dataclass
class _Cluster:
    members: list[int]
    cls: str | None = None


class _UnionFind:
    """Union-find over candidates that also keeps each cluster's typing evidence."""

    def __init__(self, n: int, evidence: Sequence[Sequence] | None = None):
        self.parent = list(range(n))
        self.evidence = [list(e) for e in evidence] if evidence is not None else None
        self._cls: dict[int, str | None] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, gone = min(ra, rb), max(ra, rb)
        self.parent[gone] = keep
        if self.evidence is not None:
            self.evidence[keep].extend(self.evidence[gone])
            self.evidence[gone] = []
            self._cls.pop(keep, None)

    def decided(self, i: int) -> bool:
        """The cluster's class rests on decisive evidence: the gazetteer, an honorific or affix,
        a classifier noun (not a model's guess: the tagger, GiNZA's label, the name's shape)."""
        cls = self.cls(i)
        return any(c == cls and src.split(":")[0] in DECISIVE for c, _w, src in self.evidence[self.find(i)])

    def add(self, i: int, evidence: tuple[str, int, str]) -> None:
        """More typing evidence for the cluster of ``i``."""
        root = self.find(i)
        self.evidence[root].append(evidence)
        self._cls.pop(root, None)

    def sure(self, i: int) -> str | None:
        """The class the cluster's decisive evidence (``decided``) or GeoNames (a place it knows)
        says, if all of it says one kind of thing; the class evidence of that kind weighs most for."""
        ev = [(c, w) for c, w, src in self.evidence[self.find(i)] if src.split(":")[0] in DECISIVE or src.startswith("places")]
        if len({top_class(c) for c, _w in ev}) != 1:
            return None
        weight: Counter = Counter()
        for c, w in ev:
            weight[c] += w
        return max(sorted(weight), key=lambda c: weight[c])

    def cls(self, i: int) -> str | None:
        root = self.find(i)
        if root not in self._cls:
            self._cls[root] = class_of(self.evidence[root])
        return self._cls[root]


def resolve_document(candidates: Sequence[Candidate]) -> tuple[list[Mention], list[Entity]]:
    """Cluster one document's candidates into entities; candidates with no class evidence are dropped."""
    cands = [c for c in candidates if c.evidence or c.gazetteer_id]
    if not cands:
        return [], []
    names = [display_name(c.name_text) for c in cands]
    keys = [lexicon.name_key(n) for n in names]
    uf = _UnionFind(len(cands), [c.evidence for c in cands])

    def join(i: int, j: int) -> None:
        ci, cj = uf.cls(i), uf.cls(j)
        if ci is None or cj is None or compatible(ci, cj) or not (uf.decided(i) and uf.decided(j)):
            # a class resting only on learned or shape evidence yields to a cue, the gazetteer or
            # a classifier; two such decided classes that disagree are two things
            uf.union(i, j)

    # 1. same name, same gazetteer entry, Sudachi normalised form naming another candidate
    by_key: dict[str, int] = {}
    by_gaz: dict[str, int] = {}
    for i, c in enumerate(cands):
        for k in (keys[i], lexicon.name_key(c.norm) if c.norm else None):
            if k and k in by_key:
                join(by_key[k], i)
        by_key.setdefault(keys[i], i)
        if c.gazetteer_id:
            if c.gazetteer_id in by_gaz:
                join(by_gaz[c.gazetteer_id], i)
            by_gaz.setdefault(c.gazetteer_id, i)
    for i, c in enumerate(cands):
        if c.norm:
            k = lexicon.name_key(c.norm)
            if k in by_key and by_key[k] != i:
                join(by_key[k], i)
    # a reading given in brackets after a name: 三井寺(みいでら)
    by_begin = {c.begin: i for i, c in enumerate(cands)}
    for i, c in enumerate(cands):
        if c.alias_of is not None and c.alias_of in by_begin:
            uf.union(by_begin[c.alias_of], i)

    # 2. Latin <-> katakana, fuzzy kana variants, surname -> full name (persons and unknowns).
    # Transliterating Latin (e2k) is slow, so it happens only for a Latin name met with katakana.
    kana = _LazyKana(names)
    firsts = _first_occurrences(keys)
    for a in firsts:
        for b in firsts:
            if b <= a or uf.find(a) == uf.find(b) or not kana.comparable(a, b):
                continue
            if _same_by_name(names[a], names[b], kana[a], kana[b], uf.cls(a), uf.cls(b)):
                join(a, b)
    _surnames(uf, names, kana, firsts, join)
    _kanji_surnames(uf, names, firsts, join)
    _agree_lists(uf, cands)

    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(cands)):
        clusters[uf.find(i)].append(i)

    mentions: list[Mention] = []
    entities: list[Entity] = []
    used_keys: set[str] = set()
    place_topic = _place_topic(cands)
    for root in sorted(clusters, key=lambda r: cands[clusters[r][0]].begin):
        members = clusters[root]
        cls = uf.cls(root)
        if cls == "Person" and place_topic and _place_in_disguise(uf.evidence[root]):
            cls = "Place"
        if cls is None:
            continue
        gid = next((cands[i].gazetteer_id for i in members if cands[i].gazetteer_id), None)
        entry = lexicon.gazetteer().get(gid) if gid else None
        member_names = [names[i] for i in members]
        own = [names[i] for i in members if cands[i].alias_of is None] or member_names  # not a reading
        label = preferred_label(own, cls, entry)
        key = entity_key(cls, label, entry)
        while key in used_keys:  # two different things with one name and class in one document
            key += "_"
        used_keys.add(key)
        all_names = tuple(dict.fromkeys(sorted(set(member_names) | ({label} if label else set()), key=lambda n: (n != label, n))))
        readings = tuple(sorted({r for i in members for r in (kana.known(i), lexicon.to_katakana(cands[i].reading)) if r and _KANA_ONLY.match(r)}))
        entities.append(
            Entity(key=key, cls=cls, label=label, names=all_names, wikidata=entry.wikidata if entry else None,
                   gazetteer_id=gid, readings=readings)
        )
        for i in members:
            c = cands[i]
            mentions.append(Mention(begin=c.begin, end=c.end, text=c.text, entity=key, sentence=c.sentence))
    mentions.sort(key=lambda m: (m.begin, m.end))
    return mentions, entities


LIST_SURE_MIN = 2  # items of a list whose class is sure, all of one kind, for the others to take it
W_LIST_ITEM = 8  # evidence each sure item gives the others


def _agree_lists(uf, cands: Sequence[Candidate]) -> None:
    """Items of one list are things of one kind (オシュコシュ、ニーナ、メナシャ; 北朝鮮やインドや中国):
    where LIST_SURE_MIN items or more have a sure class (``_UnionFind.sure``), all of one top
    class, every item of another class that nothing sure holds there gets W_LIST_ITEM for each
    sure one."""
    lists: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(cands):
        if c.listed_with is not None:
            lists[c.listed_with].append(i)
    for items in lists.values():
        sure = {i: uf.sure(i) for i in items}
        known = [c for c in sure.values() if c is not None]
        kinds = {top_class(c) for c in known}
        if len(known) < LIST_SURE_MIN or len(kinds) != 1:
            continue
        kind = kinds.pop()
        cls = Counter(known).most_common(1)[0][0]
        for i in items:
            own = uf.cls(i)
            if own is not None and top_class(own) != kind and sure[i] in (None, cls):
                uf.add(i, (cls, W_LIST_ITEM * len(known), "list"))


def _place_topic(cands: Sequence[Candidate]) -> bool:
    """The document is about a place: its first name is defined as one (ベルゲンは、…の都市。)."""
    first = min(cands, key=lambda c: c.begin)
    return any(src.startswith("definition:") and cls in ("Place", "Facility") for cls, _w, src in first.evidence)


def _place_in_disguise(evidence) -> bool:
    """A name typed a person on no more than the span typer's doubt or against GeoNames: in an
    article about a place, the unknown names around it are mostly places too (ニーナ、メナシャ:
    towns of Wisconsin the typer takes for people). A person's honorific, title or affix, or the
    typer's confident verdict with nothing to gainsay it, keeps the person."""
    if any(cls == "Person" and src.split(":")[0] in DECISIVE for cls, _w, src in evidence):
        return False
    known_place = any(cls == "Place" and src == "places" for cls, _w, src in evidence)
    doubted = all(w < W_TAGGER for cls, w, src in evidence if src == "tagger")
    return known_place or doubted


class _LazyKana:
    """Kana keys of a document's names, computed when first asked for."""

    def __init__(self, names: Sequence[str]):
        self.names = names
        self.latin = [bool(_LATIN_NAME.match(n)) for n in names]
        self.katakana = [not self.latin[i] and bool(_KANA_ONLY.match(lexicon.to_katakana(lexicon.name_key(n))))
                         for i, n in enumerate(names)]
        self._cache: dict[int, str] = {}

    def __getitem__(self, i: int) -> str:
        if i not in self._cache:
            self._cache[i] = kana_key(self.names[i])
        return self._cache[i]

    def known(self, i: int) -> str:
        """The kana key if it was computed (or is cheap: not Latin)."""
        return self._cache.get(i, "") if self.latin[i] else self[i]

    def comparable(self, a: int, b: int) -> bool:
        """Worth comparing by kana: two katakana names, or a Latin and a katakana name that sound
        alike (two Latin names, or names in kanji, are compared by name key only)."""
        if self.latin[a] and self.latin[b]:
            return False
        if self.latin[a] or self.latin[b]:
            la, ka = (a, b) if self.latin[a] else (b, a)
            return self.katakana[ka] and sounds_alike(self.names[la], self.names[ka])
        return self.katakana[a] and self.katakana[b]  # names in kanji compare by name key only


def _first_occurrences(keys: Sequence[str]) -> list[int]:
    seen, out = set(), []
    for i, k in enumerate(keys):
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out


def _same_by_name(na: str, nb: str, ka: str, kb: str, ca: str | None, cb: str | None) -> bool:
    """Two full names of the same thing in different scripts or spellings (the caller checks
    that their classes may merge)."""
    pa, pb = name_parts(na), name_parts(nb)
    if len(pa) != len(pb):
        # Latin written without spaces vs a dotted katakana name still compares as a whole
        if not (ka and kb and (len(pa) == 1 or len(pb) == 1) and ka == kb):
            return False
    if ka and kb and ka == kb:
        return True
    if len(pa) == len(pb) and len(pa) >= 2 and (ca == "Person" or cb == "Person"):
        # one part the same, the others spelling variants (エメット・シアー = エメット・シェアー)
        parts_a, parts_b = [kana_key(p) for p in pa], [kana_key(p) for p in pb]
        exact = sum(1 for x, y in zip(parts_a, parts_b) if x and x == y)
        return exact >= 1 and all(kana_similar(x, y, FUZZY_PART_MIN) for x, y in zip(parts_a, parts_b))
    if len(pa) == len(pb) == 1 and (_LATIN_NAME.match(na) is None) != (_LATIN_NAME.match(nb) is None):
        # one Latin, one katakana word: transliteration must agree closely
        return kana_similar(ka, kb) and Levenshtein.normalized_similarity(ka, kb) >= 0.8
    return False


def _surnames(uf, names, kana, firsts, join) -> None:
    """A one-part person name joins the unique multi-part person name ending with it, or whose
    last part sounds like it: アルトマン -> サム・アルトマン, Altman -> Sam Altman (a kanji surname:
    ``_kanji_surnames``)."""
    full = [i for i in firsts if len(name_parts(names[i])) >= 2 and uf.cls(i) == "Person"]
    if not full:
        return
    for i in firsts:
        parts = name_parts(names[i])
        if len(parts) != 1:
            continue
        cls = uf.cls(i)
        if cls not in (None, "Person"):
            continue
        matches = set()
        for j in full:
            last = name_parts(names[j])[-1]
            if parts[0] == last:
                matches.add(uf.find(j))
                continue
            if kana.latin[i] and _LATIN_NAME.match(last):
                continue  # two Latin words that differ
            if not (kana.latin[i] or kana.katakana[i]):
                continue
            if kana.latin[i] != bool(_LATIN_NAME.match(last)) and not (
                    sounds_alike(names[i], last) if kana.latin[i] else sounds_alike(last, names[i])):
                continue
            k, kl = kana[i], kana_key(last)
            if k and kana_similar(k, kl) and Levenshtein.normalized_similarity(k, kl) >= 0.8:
                matches.add(uf.find(j))
        if len(matches) == 1:
            join(matches.pop(), i)


_KANJI_NAME = re.compile(r"^[\u4e00-\u9fff\u3005]+$")


def _kanji_surnames(uf, names, firsts, join) -> None:
    """A kanji surname written with an honorific (孫氏, 豊田氏) joins the one kanji person name
    before it in the document that starts with it (孫正義): the short form a news text uses after
    the first mention. Without the honorific, or with two such full names (田中太郎, 田中花子), it stays apart."""
    full = [j for j in firsts if uf.cls(j) == "Person" and _KANJI_NAME.match(names[j])]
    for i in firsts:
        short = names[i]
        if uf.cls(i) != "Person" or not _KANJI_NAME.match(short) or len(short) > 3:
            continue
        if not has_honorific(uf.evidence[uf.find(i)]):
            continue
        # the full name comes first (藤原氏の祖・藤原鎌足: a clan named before its member is not him)
        matches = {uf.find(j) for j in full if j < i and len(names[j]) > len(short) and names[j].startswith(short)}
        if len(matches) == 1:
            join(matches.pop(), i)


def preferred_label(names: Sequence[str], cls: str, entry=None) -> str:
    """The label an entity is shown by: the gazetteer's name in the script the text uses most,
    else the fullest name (most parts, then most frequent, then longest, then first in order)."""
    counts = Counter(names)
    if entry is not None:
        latin = sum(n for name, n in counts.items() if _LATIN_NAME.match(name))
        return entry.label_en if latin * 2 >= sum(counts.values()) else entry.label_ja
    return max(sorted(counts), key=lambda n: (len(name_parts(n)) if cls == "Person" else 0, counts[n], len(n)))


def entity_key(cls: str, label: str, entry=None) -> str:
    """The stable key an entity IRI is made from: top class and gazetteer id or label."""
    base = entry.id if entry is not None else "_".join(display_name(label).split())
    return f"{top_class(cls)}/{base}"


# ---------------------------------------------------------------- across documents

def resolve_corpus(doc_entities: Sequence[tuple[str, Sequence[Entity]]]) -> dict[tuple[str, str], ResolvedEntity]:
    """Merge the entities of many documents: (doc id, local key) -> the corpus-wide entity.

    Entities merge when they share a gazetteer entry, or a name (by name key or kana key) with
    compatible classes. The result does not depend on the order of documents.
    """
    items = [(doc_id, e) for doc_id, ents in sorted(doc_entities, key=lambda x: x[0]) for e in ents]
    uf = _UnionFind(len(items))
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (_doc, e) in enumerate(items):
        top = top_class(e.cls)
        if e.gazetteer_id:
            index[("gaz", e.gazetteer_id)].append(i)
        for n in e.names:
            if e.cls == "Person" and len(name_parts(n)) < 2:
                continue  # a bare surname is too weak to join documents
            index[(top, lexicon.name_key(n))].append(i)
            # katakana names only: Latin <-> katakana links come from documents that had both
            k = "" if _LATIN_NAME.match(display_name(n)) else kana_key(n)
            if k and len(k) >= 3:
                index[(top, "kana:" + k)].append(i)
    for members in index.values():
        for m in members[1:]:
            if compatible(items[members[0]][1].cls, items[m][1].cls):
                uf.union(members[0], m)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[uf.find(i)].append(i)
    out: dict[tuple[str, str], ResolvedEntity] = {}
    for members in groups.values():
        ents = [items[i][1] for i in members]
        cls = _most_specific_common([e.cls for e in ents])
        entry = next((lexicon.gazetteer()[e.gazetteer_id] for e in ents if e.gazetteer_id), None)
        all_names = [n for e in ents for n in e.names]
        label = preferred_label([e.label for e in ents] + all_names, cls, entry)
        g = ResolvedEntity(
            key=entity_key(cls, label, entry),
            cls=cls,
            label=label,
            names=tuple(sorted(set(all_names))),
            wikidata=next((e.wikidata for e in ents if e.wikidata), None),
            readings=tuple(sorted({r for e in ents for r in e.readings})),
        )
        for i in members:
            out[(items[i][0], items[i][1].key)] = g
    return out


def _most_specific_common(classes: Sequence[str]) -> str:
    counts = Counter(classes)
    best = max(sorted(counts), key=lambda c: counts[c])
    for c in sorted(counts):
        if c != best and is_a(c, {best}):
            best = c
    return best
