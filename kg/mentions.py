"""Mentions stage: find the spans of a parsed chunk that name something.

Sources, strongest first: the learned tagger (kg/tagger.py, a CRF over GiNZA tokens trained on
Wikipedia NER data), gazetteer matches (ontologies/gazetteer.tsv), 「」-quoted names with a
classifier (「X」と呼ばれるチップ, モデル「X」), then GiNZA's NER and runs of proper nouns and
Latin-script words, which only fill what the first three left. Spans are trimmed of particles
and honorifics (X氏), which become typing evidence instead. A corporate affix written onto the
name (アーム社, 株式会社X) stays in the span, as both gold data sets mark it, but not in the
``name`` the entities stage resolves by. The span typer gives every span class evidence; a
sentence that defines its topic by the noun closing it (Xは、…にある都市。 Xは、日本の政治家。)
gives the strongest (type-cues.tsv ``definition``).

Output is plain data (``Candidate``); the entities stage types and resolves them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon, tagger
from .parse import PARENS_CLOSE, PARENS_OPEN, SENTENCE_END, after_paren
from .vocab import resource_path

# Evidence weights, strongest first. Typing in the entities stage sums them per class.
W_GAZETTEER = 10
W_PLACES = 5  # a foreign place name GeoNames knows (ontologies/places.tsv)
W_COUNTRY = 8  # a country's name (places.tsv; オスマン帝国, ソ連): a place, not its government
W_TAGGER = 7  # the span typer, when it is confident; W_TAGGER_WEAK below
W_HEAD = 8  # a word that ends the name and says its class (朝日新聞, 品川駅)
W_SUFFIX = 6
W_CLASSIFIER = 5
W_DEFINITION = 20  # XはYにある都市。: the sentence says what X is, which outweighs the rest together
W_TAGGER_WEAK = 4
TAGGER_CONFIDENT = 0.6
W_FULL_NAME = 6
W_NER = 3
W_NAME_TAG = 3
W_SHAPE = 1
W_REALM = 12  # a realm before a ruler's title and a name (バイエルン公マクシミリアン)
W_LIST = 20  # a word after a list that says what its items are (A、B、Cの3つの町, A、B各市): a definition of each

_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9.\-&'+]*$|^[0-9]+[A-Za-z][A-Za-z0-9.\-]*$")
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fd\u30fe\uff66-\uff9f]+$")
_DOTS = {"・", "･", "="}
_CLAN_SUFFIXES = {"氏"}  # 遠山氏 is a clan where a sentence defines it so
_OPEN_QUOTES = {"「": "」", "『": "』", "“": "”", '"': '"'}
_BRACKETS = set("「」『』【】()（）[]〔〕“”\"")
_NAMING_VERBS = {"呼ぶ", "言う", "いう", "名付ける", "称する", "名乗る"}
# one-character words dropped before a name (同社, 元首相; and a country's abbreviation, 米アップル:
# gazetteer.tsv ``prefix``); 旧 and 新 stay, as part of the name (旧大蔵省, 旧国鉄, 新韓国党: 26 and 55
# names of the NER train split start so, none follows)
_PREFIX_STRIP = {"同", "各", "元", "前", "現", "駐"}
_ANAPHORIC = {"同", "当"}


@dataclass(frozen=True)
class Candidate:
    """A mention candidate with the evidence for its class. Offsets are document offsets."""

    begin: int
    end: int
    text: str
    sentence: int
    evidence: tuple[tuple[str, int, str], ...]  # (class, weight, source)
    reading: str = ""  # katakana reading from the tokenizer
    norm: str = ""  # Sudachi normalised form (マイクロソフト -> Microsoft)
    gazetteer_id: str | None = None
    person_name_parts: int = 0  # how many name tokens (人名 tags) it holds
    name: str = ""  # the text without a corporate affix kept in the span (アーム社 -> アーム)
    alias_of: int | None = None  # document offset of the candidate this one is another name of
    listed_with: int | None = None  # document offset of the first item of the list it is an item of (A、B、C)

    @property
    def name_text(self) -> str:
        return self.name or self.text


@dataclass(frozen=True)
class Cue:
    cue: str
    where: str
    cls: str
    part_of_name: bool
    in_span: bool = False  # a corporate affix the mention span keeps (アーム社)


@lru_cache(maxsize=1)
def cues() -> dict[tuple[str, str], Cue]:
    out = {}
    with resource_path("kg.ontologies", "type-cues.tsv").open("r", encoding="utf-8") as f:
        import csv

        for row in csv.DictReader(f, delimiter="\t"):
            c = Cue(lexicon.nfkc(row["cue"]), row["where"], row["class"], row.get("part_of_name") == "yes",
                    row.get("in_span") == "yes")
            out[(c.cue, c.where)] = c
    return out


def _cue(text: str, where: str) -> Cue | None:
    return cues().get((lexicon.nfkc(text), where))


def is_latin(tok) -> bool:
    return bool(_LATIN.match(tok.text))


def is_katakana(tok) -> bool:
    return bool(_KATAKANA.match(tok.text))


_NAME_POS = ("PROPN", "NOUN", "PRON", "X")


def _is_name_token(tok) -> bool:
    """A proper noun, or a Latin-script noun (``Words.name_word`` of a whole sentence)."""
    return _name_word(tok.tag_, tok.pos_, is_latin(tok))


def _name_word(tag: str, pos: str, latin: bool) -> bool:
    return tag.startswith("名詞-固有名詞") or (latin and pos in _NAME_POS)


class Words(tagger.Words):
    """A sentence's tokens as read once (``tagger.Words``), with what the rule sources ask of each
    word: its name key, Latin script, katakana, a name word (a proper noun, a Latin-script noun),
    a word of a noun compound (a noun, a prefix or noun-making suffix, a Latin word), a space
    after it."""

    def __init__(self, tokens):
        super().__init__(tokens)
        self.keys = [lexicon.name_key(x) for x in self.text]
        self.latin = [bool(_LATIN.match(x)) for x in self.text]
        self.katakana = [bool(_KATAKANA.match(x)) for x in self.text]
        self.spaced = [len(x) > len(y) for x, y in zip(self.text_ws, self.text)]
        self.name_word = [_name_word(tag, pos, latin) for tag, pos, latin in zip(self.tag, self.pos, self.latin)]
        self.compound_word = [pos in _COMPOUND_POS or tag.startswith(_COMPOUND_TAGS) or latin
                              for tag, pos, latin in zip(self.tag, self.pos, self.latin)]


def _reading(tokens) -> str:
    parts = []
    for t in tokens:
        r = t.morph.get("Reading")
        parts.append(r[0] if r else t.text)
    return "".join(parts)


def _norm(tokens) -> str:
    out = ""
    for t in tokens:
        if out and t.i > 0 and t.doc[t.i - 1].whitespace_:
            out += " "
        out += t.norm_
    return out


P_GAZETTEER, P_QUOTED, P_NER, P_RUN, P_BARE_QUOTE = 4, 3, 2, 1, 0


def detect(doc, offset: int = 0, sentence_base: int = 0) -> list[Candidate]:
    """Mention candidates of one parsed chunk; ``offset`` is the chunk's place in the document."""
    chosen: list[tuple[int, int, list]] = []  # (start token, end token, evidence)
    sents = list(doc.sents)
    ents = list(doc.ents)  # once: Span.ents scans the whole Doc on every call
    sentence_words = [Words(list(sent)) for sent in sents]
    spans_by_sentence = []
    for sent, words in zip(sents, sentence_words):
        toks = words.tokens
        sent_ents = [e for e in ents if sent.start <= e.start and e.end <= sent.end]
        spans_by_sentence.append(sentence_spans(sent, tagger.tag(toks, words), toks, sent_ents, words))
    # the vector share of every candidate span of the chunk at once (the typer judges most of them)
    tagger.score_spans(sentence_words, [[(s - sent.start, e - sent.start) for s, e in spans]
                                        for sent, spans in zip(sents, spans_by_sentence)])
    for sent, words, spans in zip(sents, sentence_words, spans_by_sentence):
        chosen.extend(choose(sent, spans, words))
    if offset == 0:
        _lead(doc, sents, chosen)
        _defined_lead(doc, sents, chosen)
    _propagate(doc, chosen, {s.start for s in sents}, [k for w in sentence_words for k in w.keys])
    chosen.sort()
    out = _inside_places(doc, chosen, offset, sentence_base, sents)
    aliases = _readings(doc, chosen)
    sent_of = {}
    for n, s in enumerate(sents):
        for i in range(s.start, s.end):
            sent_of[i] = n
    taken = covered(chosen)
    lists = _coordinations(doc, chosen, sents, sent_of)
    for start, end, evidence in chosen:
        if not _acceptable(doc[start:end]):
            continue
        ev = list(evidence)
        first, list_ev = lists.get(start, (None, ()))
        ev.extend(list_ev)
        start, end, name_start, name_end = _affixes(doc, start, end, taken, ev)
        if end < len(doc) and end not in taken and _house(doc, end, ev):
            end, name_end = end + 1, end + 1
        _context_evidence(doc, start, end, ev)
        _definition_evidence(doc, start, end, ev, sents[sent_of[start]].end)
        _realm(doc, end, ev)
        span = doc[start:end]
        if (country := lexicon.country_abbreviations().get(span.text)) and end in taken:
            # 米 written onto a name (米マイクロソフト) is the United States
            ev.append((country.cls, W_GAZETTEER, f"gazetteer:{country.id}"))
        gid = next((src.split(":", 1)[1] for _, _, src in ev if src.startswith("gazetteer:")), None)
        name = doc[name_start:name_end].text if (name_start, name_end) != (start, end) else ""
        out.append(
            Candidate(
                begin=offset + span.start_char,
                end=offset + span.end_char,
                text=span.text,
                sentence=sentence_base + sent_of[start],
                evidence=tuple(sorted(set(ev), key=lambda e: (-e[1], e[0], e[2]))),
                reading=_reading(span),
                norm=_norm(doc[name_start:name_end]),
                gazetteer_id=gid,
                person_name_parts=sum(1 for t in span if t.tag_.startswith("名詞-固有名詞-人名")),
                name=name,
                alias_of=offset + aliases[start] if start in aliases else None,
                listed_with=offset + doc[first].idx if first is not None else None,
            )
        )
    out.sort(key=lambda c: (c.begin, c.end))
    return out


_LIST_SEPARATORS = {"、", ",", "，", "や", "と", "及び", "および", "並びに", "ならびに", "または", "又は"}
_LIST_ENDS = {"など", "等"}
_LIST_LINKS = {"の", "という", "といった"}
LIST_PAREN_MAX = 12  # tokens a parenthesis after a list item may run (ハンコ(8,386人)、)


def _coordinations(doc, chosen: list, sents: list, sent_of: dict) -> dict[int, tuple[int, tuple]]:
    """The items of the lists of the chunk: spans ``chosen`` (sorted) with nothing but a comma or
    a conjunction between them (A、B、C; AやB; AとB), a parenthesis after an item allowed
    (ハンコ(8,386人)、カルッキラ). Returns {item start token: (first item's start token, the
    evidence a word after or before the list gives every item)}: a counted or exemplified
    class noun after it (A、B、Cの3つの町, A、Bなどの都市, A、B各市) or before it (3つの町であるA、B).
    A katakana word no source proposed between two commas of a list with such a noun is an item
    too (アルナ、オルスタド、オサネ、ファナの8つの行政区): it is added to ``chosen``."""
    taken = covered(chosen)
    starts = {start: (k, end) for k, (start, end, _ev) in enumerate(chosen)}
    groups: list[list[tuple[int, int, bool]]] = []  # (start, end, proposed by no source)
    grouped: set[int] = set()
    for k, (start, end, _ev) in enumerate(chosen):
        if k in grouped:
            continue
        group = [(start, end, False)]
        grouped.add(k)
        sent_begin, sent_end = sents[sent_of[start]].start, sents[sent_of[start]].end
        while prev := _previous_item(doc, group[0][0], sent_begin, taken):
            group.insert(0, (*prev, True))
        while True:
            nxt = _next_item(doc, group[-1][1], sent_end, starts, taken)
            if nxt is None:
                break
            a, b = nxt
            group.append((a, b, a not in starts))
            if a in starts:
                grouped.add(starts[a][0])
        groups.extend(g for g in _modifier_tail(doc, group, sent_end) if len(g) >= 2)
    out = {}
    for group in groups:
        first = group[0][0]
        sent_end = sents[sent_of[first]].end
        cue = _class_after_list(doc, group[-1][1], sent_end) or _class_before_list(doc, first)
        ev = ((cue.cls, W_LIST, f"list:{cue.cue}"),) if cue else ()
        if sum(1 for _a, _b, new in group if cue or not new) < 2:
            continue
        for a, b, new in group:
            if new and cue:
                chosen.append((a, b, []))
            if cue or not new:
                out[a] = (first, ev)
    chosen.sort()
    return out


_CONJUNCTIONS = {"と", "や"}


def _modifier_tail(doc, group: list, sent_end: int) -> list[list]:
    """A list's items, parted where its last items, joined by と or や and followed by の, modify a
    noun after them rather than stand beside the others (ニューズ・コーポレーション、ストラトフォー、
    イギリスとアメリカの法執行機関: the agencies are the third item, not the two countries); not where a
    class noun follows (A、B、CとDの4つの町)."""
    k = _past_paren(doc, group[-1][1], sent_end)
    if len(group) < 3 or k >= sent_end or doc[k].text != "の" or _class_after_list(doc, group[-1][1], sent_end):
        return [group]
    n = len(group) - 1
    while n > 0 and any(doc[i].text in _CONJUNCTIONS for i in range(group[n - 1][1], group[n][0])):
        n -= 1
    return [group[:n], group[n:]] if 0 < n < len(group) - 1 else [group]


def _previous_item(doc, start: int, sent_begin: int, taken: set[int]) -> tuple[int, int] | None:
    """A katakana word no span holds before the list item starting at token ``start``, a list
    separator between them (and a parenthesis after it, maybe): 3つの町であるハンコ(8,386人)、カルッキラ."""
    j = start - 1
    if j <= sent_begin or doc[j].text not in _LIST_SEPARATORS:
        return None
    b = j
    if doc[b - 1].text in PARENS_CLOSE:  # the opening one within LIST_PAREN_MAX tokens
        b = next((i for i in range(b - 2, max(sent_begin, b - LIST_PAREN_MAX) - 1, -1) if doc[i].text in PARENS_OPEN), None)
        if b is None or after_paren(doc, b, LIST_PAREN_MAX) != j:
            return None
    a = b
    while a > sent_begin and a - 1 not in taken and (is_katakana(doc[a - 1]) or doc[a - 1].text in _DOTS):
        a -= 1
    if a == b or doc[a].text in _DOTS:
        return None
    return a, b


def _next_item(doc, end: int, sent_end: int, starts: dict, taken: set[int]) -> tuple[int, int] | None:
    """The list item after the item ending at token ``end``: past a parenthesis and a list
    separator, a chosen span (its start is in ``starts``) or a katakana word no span holds,
    which a separator or the list's end follows."""
    k = _past_paren(doc, end, sent_end)
    j = k
    while j < sent_end and j - k < 2 and doc[j].text in _LIST_SEPARATORS:
        j += 1
    if j == k or j >= sent_end:
        return None
    if j in starts:
        return j, starts[j][1]
    b = j
    while b < sent_end and b not in taken and (is_katakana(doc[b]) or (b > j and doc[b].text in _DOTS)):
        b += 1
    if b == j or doc[b - 1].text in _DOTS or b >= sent_end:
        return None
    if doc[b].text in _LIST_SEPARATORS or doc[b].text in PARENS_OPEN or doc[b].text in _LIST_ENDS or doc[b].text in _LIST_LINKS:
        return j, b
    return None


def _past_paren(doc, k: int, stop: int) -> int:
    """``k``, or past a parenthesis opening there (an item's reading or figure)."""
    if k < stop and doc[k].text in PARENS_OPEN:
        j = after_paren(doc, k, LIST_PAREN_MAX)
        return j if j <= stop else k
    return k


def _class_after_list(doc, end: int, sent_end: int) -> Cue | None:
    """The class noun after a list ending at token ``end``: …Cの8つの行政区, …Cなどの都市,
    …Cといった都市, …C各市 (a bare …Cの都市 is the cities *of* C, no class of it)."""
    k = _past_paren(doc, end, sent_end)
    counted = False
    if k < sent_end and doc[k].text in _LIST_ENDS:
        k, counted = k + 1, True
    if k < sent_end and doc[k].text == "各":
        return _noun_cue(doc, k + 1, sent_end)
    if k + 2 < sent_end and doc[k].text == "と" and doc[k + 1].lemma_ == "いう":  # といった, という
        k, counted = k + 3 if doc[k + 2].pos_ == "AUX" else k + 2, True
    elif k < sent_end and doc[k].text in _LIST_LINKS:
        k += 1
    else:
        return None
    if k + 2 < sent_end and doc[k].like_num and doc[k + 1].tag_.startswith("接尾辞") and doc[k + 2].text == "の":
        k, counted = k + 3, True  # 8つの, 3か所の
    return _noun_cue(doc, k, sent_end) if counted else None


def _class_before_list(doc, first: int) -> Cue | None:
    """The class noun a list starting at token ``first`` is said to be: 3つの町であるA、B."""
    k = first - 1
    if k >= 2 and doc[k].lemma_ == "ある" and doc[k - 1].text == "で" and doc[k - 2].pos_ == "NOUN":
        j = k - 2
        counted = j >= 3 and doc[j - 1].text == "の" and doc[j - 2].tag_.startswith("接尾辞") and doc[j - 3].like_num
        return _noun_cue(doc, j, j + 1) if counted else None
    return None


def _noun_cue(doc, k: int, sent_end: int) -> Cue | None:
    """The definition or classifier cue (type-cues.tsv) the common noun at token ``k`` is or ends
    with (各市 -> 市), when it is the whole noun (…といった青森県初進出店舗: a name, no class; …などの
    国家賠償事件: the cases, not the items)."""
    if k >= sent_end or not doc[k].tag_.startswith("名詞-普通名詞"):
        return None
    if k + 1 < sent_end and (doc[k + 1].pos_ in ("NOUN", "PROPN") or doc[k + 1].tag_.startswith("接尾辞")):
        return None
    tok = doc[k]
    return (_cue(tok.text, "definition") or _cue(tok.text, "classifier") or _last_unit_cue(tok, "definition")
            or _last_unit_cue(tok, "classifier"))


def covered(spans) -> set[int]:
    """The token indexes the (start, end, ...) spans hold."""
    return {i for start, end, *_rest in spans for i in range(start, end)}


def has_honorific(evidence) -> bool:
    """The evidence holds a person's honorific after the name (X氏, Xさん: a Person suffix cue)."""
    return any(c == "Person" and src.startswith("suffix:") for c, _w, src in evidence)


def _propagate(doc, chosen: list, sent_starts: set[int], tok_keys: list[str]) -> None:
    """One name, one sense in a text: every other token-aligned occurrence of a name kept
    somewhere in the chunk is a mention too (JacRED marks them all; the tagger may miss some).
    ``tok_keys``: the name key of every token of ``doc``."""
    if not chosen:
        return
    keys = {}
    for start, end, ev in chosen:
        text = doc[start:end].text
        if len(text) >= 2 and end - start <= 8:
            keys.setdefault(lexicon.name_key(text), (end - start, ev))
    prefixes = {k[:m] for k in keys for m in range(1, len(k) + 1)}
    taken = covered(chosen)
    i, n = 0, len(doc)
    while i < n:
        hit = None
        if i not in taken:
            key = ""
            for j in range(i, min(n, i + 8)):
                if j in taken or (j > i and j in sent_starts):
                    break
                key += tok_keys[j]
                if key not in prefixes:
                    break  # no kept name goes on like this
                if key in keys and keys[key][0] == j + 1 - i:
                    hit = (j + 1, keys[key][1])
        if hit is None:
            i += 1
            continue
        end, ev = hit
        if (i == 0 or not _joins(doc[i - 1], doc[i])) and (end >= n or not _joins(doc[end - 1], doc[end])):
            chosen.append((i, end, list(ev)))
            taken.update(range(i, end))
        i = end


def _joins(a, b) -> bool:
    """Two tokens that belong to one word (a name inside a longer katakana or Latin word)."""
    return (is_katakana(a) and is_katakana(b)) or (is_latin(a) and is_latin(b) and not a.whitespace_)


def _inside_places(doc, chosen, offset: int, sentence_base: int, sents) -> list[Candidate]:
    """A place name inside a word that no span covers: 日本人 -> 日本, read from GiNZA's
    sub-tokens (Sudachi's short units) and the "inside" cues of type-cues.tsv."""
    subs = doc.user_data.get("sub_tokens") or []
    taken = covered(chosen)
    out = []
    for n, sent in enumerate(sents):
        for i in range(sent.start, min(sent.end, len(subs))):  # by index: a Token costs a lookup
            if i in taken or not subs[i] or not subs[i][0]:
                continue
            units = subs[i][0]  # DetailedToken(surface, tag, inf, lemma, norm, reading, ...) or its tuple
            if len(units) < 2 or not units[0][1].startswith("名詞-固有名詞-地名"):
                continue
            cue = _cue("".join(u[0] for u in units[1:]), "inside")
            if cue is None:
                continue
            surface = units[0][0]
            begin = offset + doc[i].idx
            out.append(Candidate(begin, begin + len(surface), surface, sentence_base + n,
                                 ((cue.cls, W_FULL_NAME, f"inside:{cue.cue}"),), reading=units[0][5], norm=units[0][4]))
    return out


def _readings(doc, chosen: list) -> dict[int, int]:
    """A kana reading in brackets right after a name or its closing quote, 三井寺(みいでら),
    『羅生門』(らしょうもん), is another name of it (the way encyclopedias give readings): add it,
    and return {reading start token: name begin char}."""
    out = {}
    for start, end, ev in list(chosen):
        end = _past_closing_quote(doc, end)  # 『羅生門』(らしょうもん)
        if end >= len(doc) or doc[end].text not in "(（":
            continue
        k = end + 1
        while k < len(doc) and doc[k].text not in ")）、,;；" and k - end <= 12 and not doc[k].is_sent_start:
            k += 1
        inner = doc[end + 1:k]
        if k >= len(doc) or doc[k].text not in ")）、,;；" or not lexicon.KANA_READING.match(inner.text) or len(inner.text) < 2:
            continue
        chosen[:] = [c for c in chosen if c[1] <= end + 1 or c[0] >= k]  # the reading replaces bits of it
        chosen.append((end + 1, k, list(ev)))
        out[end + 1] = doc[start].idx
    chosen.sort()
    return out


def _lead(doc, sents, chosen: list) -> None:
    """An encyclopedia article starts with its subject, then its reading or other names in
    brackets: アンソニー世界を駆ける(アンソニーせかいをかける)は... The words before the bracket are one
    name, whatever the tagger made of them."""
    if not sents:
        return
    toks = list(sents[0])
    k = next((n for n, t in enumerate(toks) if t.text in "(（"), None)
    if not k or k > 12 or any(t.text in "、。「」『』" or t.is_space for t in toks[:k]):
        return
    close = next((n for n in range(k + 1, len(toks)) if toks[n].text in ")）、"), None)
    if close is None or not lexicon.KANA_READING.match("".join(t.text for t in toks[k + 1:close]) or "-"):
        return  # the bracket does not hold a reading: not an encyclopedia lead
    if any(s == toks[0].i and e == toks[k].i for s, e, _v in chosen):
        return
    ev: list = []
    typed = tagger.classify(toks, 0, k, ("lead",))
    if typed is not None and typed[0] is not None:
        ev.append((typed[0], W_TAGGER, "tagger"))
    chosen[:] = [c for c in chosen if c[1] <= toks[0].i or c[0] >= toks[k].i]
    chosen.append((toks[0].i, toks[k].i, ev))


LEAD_TOPIC_MAX = 8  # tokens the topic of a document's defining first sentence may have


def _defined_lead(doc, sents, chosen: list) -> None:
    """A document that opens by defining its topic (バは、フィジー西部地域の都市。) names it with
    the words before は, whatever the other sources made of them: a short word no source proposes
    (バ, a common noun to Sudachi) or a piece of it. Only nouns, and only when the sentence's
    closing noun is a definition cue."""
    if not sents:
        return
    sent = sents[0]
    start = sent.start
    k = next((t.i for t in sent if t.text == "は"), None)
    if k is None or k == start or k - start > LEAD_TOPIC_MAX:
        return
    # by Sudachi's tag, not GiNZA's UPOS, which may call an unknown word a pronoun (ロワイヤン)
    if not all(t.tag_.startswith("名詞") or t.text in _DOTS for t in doc[start:k]) or doc[k - 1].text in _DOTS:
        return
    if any(s == start and e == k for s, e, _v in chosen) or not _defined(doc, start, k, sent.end):
        return
    chosen[:] = [c for c in chosen if c[1] <= start or c[0] >= k]
    chosen.append((start, k, []))


@dataclass
class SpanInfo:
    """A candidate span of one sentence: who proposed it and the typing evidence so far."""

    sources: set[str]
    evidence: list


def sentence_spans(sent, crf: Sequence[tuple[int, int, str]], toks=None, ents=None,
                   words: Words | None = None) -> dict[tuple[int, int], SpanInfo]:
    """Every candidate span of one sentence, keyed by (start, end) doc token indexes: the
    tagger's ``crf`` spans (sentence token indexes, trimmed of honorifics and particles) and the
    rule sources' (gazetteer, GiNZA NER, name runs, quotes), identical spans merged. The
    tagger's training reads this too, so the span typer learns from what it will be shown.
    ``toks``, ``ents`` and ``words`` are the sentence's tokens, GiNZA entities and ``Words``, if
    the caller has them."""
    out: dict[tuple[int, int], SpanInfo] = {}

    def add(start, end, source, ev):
        info = out.setdefault((start, end), SpanInfo(set(), []))
        info.sources.add(source)
        info.evidence.extend(ev)

    toks = toks if toks is not None else list(sent)
    words = words if words is not None else Words(toks)
    doc = sent.doc
    for a0, b0, cls in crf:
        for a, b in _pieces(toks, a0, b0):
            ev: list = []
            start, end = _trim(toks, sent.start + a, sent.start + b, ev)
            if start < end:
                add(start, end, f"crf:{cls}", ev)
    for source, fn in (("gaz", _gazetteer_spans), ("ner", _ner_spans), ("run", _name_runs), ("quote", _quoted),
                       ("compound", _compounds)):
        found: list = []
        fn((sent.ents if ents is None else ents) if fn is _ner_spans else words, found)
        for start, end, prio, ev in found:
            add(start, end, "bare-quote" if prio == P_BARE_QUOTE else source, ev)
    _place_cuts(doc, out)
    for (start, end), info in out.items():
        text = "".join(words.text_ws[start - sent.start:end - sent.start])
        _head_evidence(text, info.evidence, place_word=words.tag[end - 1 - sent.start].startswith("名詞-固有名詞-地名"))
        key = lexicon.name_key(text)
        if key in lexicon.country_keys():
            info.evidence.append(("Place", W_COUNTRY, "places:country"))
        elif key in lexicon.foreign_place_keys():
            info.evidence.append(("Place", W_PLACES, "places"))
        _honorific_after(doc, end, info.evidence)
    return out


def _honorific_after(doc, end: int, ev: list) -> None:
    """A person's honorific or title right after the span (十時裕樹社長, ナデラ氏) is evidence
    whoever proposed the span, not only a tagged span that held it."""
    c = _person_title(doc[end].text) if end < len(doc) else None
    if c and not has_honorific(ev):
        ev.append((c.cls, W_SUFFIX, f"suffix:{c.cue}"))


def _person_title(text: str) -> Cue | None:
    """The honorific or title ``text`` is (type-cues.tsv: a Person suffix that is no part of the
    name: 氏, 社長), if it is one."""
    c = _cue(text, "suffix")
    return c if c and c.cls == "Person" and not c.part_of_name else None


_LIST_COMMAS = {"、", ",", "，"}
_LIST_JOINS = {"・", "･", "&", "＆"}
_CUTS = _LIST_COMMAS | _BRACKETS
_NOT_KATAKANA = re.compile(r"[^\u30a0-\u30ff・･]")


def _place_cuts(doc, spans: dict) -> None:
    """A span with the part of a place inside, a name on each side (アメリカ合衆国ミシガン州南東部ベイ郡,
    ノルウェー西岸ヴェストラン地方), is two places: the one the part is of, and the one lying in
    that part (neither gold set has a name holding such a part between two names). So is a
    country's name and a place joined by a middle dot (スペイン・アンダルシア州マラガ県): the
    graph gets the country and the place in it. The NER data writes 20 of the 28 in its train
    split as one name (ドイツ・ドルトムント), JacRED mostly as two."""
    for (start, end) in [k for k in spans if k[1] - k[0] >= 3]:
        cuts = [k for k in range(start + 1, end - 1) if len(doc[k].text) >= 2 and _cue(doc[k].text, "part")
                and _is_place_word(doc[k - 1]) and (_is_name_token(doc[k + 1]) or is_katakana(doc[k + 1]))]
        cuts += [k for k in range(start + 1, end - 1) if doc[k].text in _DOTS
                 and lexicon.name_key(doc[start:k].text) in lexicon.country_keys()]
        cuts.sort()
        if not cuts:
            continue
        info = spans.pop((start, end))
        for a, b in zip([start, *(k + 1 for k in cuts)], [*cuts, end]):
            if a < b:
                piece = spans.setdefault((a, b), SpanInfo(set(), []))
                piece.sources.update(info.sources)


def _is_place_word(tok) -> bool:
    """A place's name or an administrative head word (州, 県, 郡) that a part of it may follow."""
    head = _cue(tok.text, "head")
    return "地名" in tok.tag_ or is_katakana(tok) or (head is not None and head.cls == "Place")


def _pieces(toks, a: int, b: int) -> list[tuple[int, int]]:
    """A tagged span cut into the names it lists: at commas (帝王賞、マイルチャンピオンシップ南部杯),
    and at a middle dot or ampersand between two words neither of them all katakana (ロイター通信・AP通信,
    西沢・高木, 小田和正・やしきたかじん; but ジョン・スミス is one name, and so is ANA・ホテルズ); and at brackets, which no
    name holds (コルドバ(Córdoba); and at a ruler's title between a realm and a name
    (ノヴゴロド公ウラジーミル, type-cues.tsv ``title``); at a plural suffix (ハンニバルらバルカ家) and at 兼
    after a title; and before a Latin word a space parts from Japanese script (キヤノン PowerShot)."""
    texts = [t.text for t in toks[a:b]]
    joins = [k for k in range(a + 1, b - 1) if texts[k - a] in _LIST_JOINS]
    edges = [a - 1, *joins, b]
    words = ["".join(texts[edges[n] + 1 - a:edges[n + 1] - a]) for n in range(len(edges) - 1)]
    cuts = {k for k in range(a, b) if texts[k - a] in _CUTS}
    cuts.update(k for n, k in enumerate(joins) if _NOT_KATAKANA.search(words[n]) and _NOT_KATAKANA.search(words[n + 1]))
    cuts.update(k for k in range(a + 1, b - 1) if _cue(texts[k - a], "title") and _name_after_title(toks[k - 1], toks[k + 1]))
    cuts.update(k for k in range(a + 1, b - 1) if _cue(texts[k - a], "plural") and toks[k].tag_.startswith("接尾辞"))
    # 兼 after a title joins two posts, each of its own body (合衆国艦隊司令長官兼海軍作戦部長)
    cuts.update(k for k in range(a + 1, b - 1) if texts[k - a] == "兼" and _after(toks[k - 1]))
    # a space from Japanese script into a Latin name: a maker before its product (富士フイルム FinePix)
    splits = {k for k in range(a + 1, b) if toks[k - 1].whitespace_ and is_latin(toks[k]) and not is_latin(toks[k - 1])
              and not toks[k - 1].like_num}
    # a corporate affix ends a company's name: common nouns after it are a part of the company
    # (富士紡績株式会社建築工事係; no name of the NER train split holds 株式会社 inside), a proper noun
    # is the name it stands before (株式会社札幌ドーム)
    splits.update(k for k in range(a + 2, b) if _closing_affix(texts[k - 1 - a]) and toks[k].tag_.startswith("名詞-普通名詞"))
    out, start = [], a
    for k in sorted(cuts | splits):
        out.append((start, k))
        start = k if k in splits else k + 1
    out.append((start, b))
    return [(x, y) for x, y in out if x < y]


def _closing_affix(text: str) -> bool:
    c = _cue(text, "suffix")
    return c is not None and c.cls == "Company" and c.in_span and not c.part_of_name and len(c.cue) >= 3


def _name_after_title(before, after) -> bool:
    """A realm's name (katakana or a place) before a title, and a name (katakana, Latin, or what
    Sudachi calls a person's name) after it."""
    realm = is_katakana(before) or "地名" in before.tag_
    return realm and (is_katakana(after) or is_latin(after) or "人名" in after.tag_)


CUE_FLOOR = 0.06  # below this the typer overrules an honorific, affix or head word too
NAME_THRESHOLD = 0.15  # the span typer's probability that a span names something, to keep it
FIRST = ("crf", "quote")  # sources whose spans are settled first; the others fill the gaps


def choose(sent, spans: dict[tuple[int, int], SpanInfo], words=None) -> list[tuple[int, int, list]]:
    """The spans to keep, none overlapping. The span typer says how likely each names something
    and of which class; a span it doubts is dropped unless the gazetteer, a classifier noun or
    an affix vouches for it. The tagger's and quoted spans are settled first, then the rest
    fill the gaps; within each, longer first. ``words``: the sentence's ``tagger.Words``, if the
    caller has them."""
    words = words if words is not None else tagger.Words(list(sent))
    first = {key: any(src.split(":")[0] in FIRST for src in info.sources) for key, info in spans.items()}
    kept = [k for k in (_judged(sent, words, key, info, True) for key, info in spans.items() if first[key]) if k]
    settled = _taken(sorted(kept, key=lambda x: x[0]))
    for (start, end), info in spans.items():
        # a span that cuts into a settled one can be neither kept nor put in its place: no need
        # to ask the typer about it
        if first[(start, end)] or any(s0 < end and start < e0 and not (start <= s0 and e0 <= end)
                                      for s0, e0, _ev, _p in settled):
            continue
        if k := _judged(sent, words, (start, end), info, False):
            kept.append(k)
    kept.sort(key=lambda x: x[0])
    out = _taken(kept)
    # a longer span the typer trusts more than the spans inside it replaces them (Sam Altman
    # over the tagger's Altman)
    for key, start, end, ev in kept:
        inside = [o for o in out if start <= o[0] and o[1] <= end]
        if not inside or any(o[0] == start and o[1] == end for o in inside):
            continue
        if all(o[1] <= start or o[0] >= end or o in inside for o in out) \
                and (-key[2] > max(o[3] for o in inside) + OVERRIDE_MARGIN or _dotted_run(sent, start, end)):
            out = [o for o in out if o not in inside] + [(start, end, ev, -key[2])]
    return sorted(_given_names(sent.doc, spans, [(s0, e0, ev) for s0, e0, ev, _p in out]))


def _dotted_run(sent, start: int, end: int) -> bool:
    """Katakana words joined by middle dots, the whole run (バリー・ディラー, マルクス・クラウディウス・マルケルス):
    one name far more often than several (the NER train split: 1,038 such runs a name whole, 17
    holding names as parts), so a span of the typer's trust inside it gives way to it."""
    doc = sent.doc
    toks = doc[start:end]
    if not any(t.text in _DOTS for t in toks) or not all(t.text in _DOTS or is_katakana(t) for t in toks):
        return False
    return all(not (sent.start <= k < sent.end) or not (doc[k].text in _DOTS or is_katakana(doc[k])) for k in (start - 1, end))


def _judged(sent, words, key: tuple[int, int], info: SpanInfo, first: bool):
    """A candidate span with the span typer's verdict: (sort key, start, end, evidence), or None
    when the typer doubts it and nothing vouches for it."""
    start, end = key
    ev = list(info.evidence)
    p_name = 1.0
    typed = tagger.classify(words.tokens, start - sent.start, end - sent.start, info.sources, words)
    if typed is not None:
        cls, p_cls, p_name = typed
        if cls is not None:
            # a classifier noun at a quoted title (小説『オリバー・ツイスト』) outweighs the typer
            confident = p_cls >= TAGGER_CONFIDENT and not any(src == "classifier" for _c, _w, src in ev)
            ev.append((cls, W_TAGGER if confident else W_TAGGER_WEAK, "tagger"))
    # 『』 marks a work's title; the typer may doubt one down to TITLE_FLOOR
    floor = TITLE_FLOOR if "bare-quote" in info.sources and _double_quoted(sent.doc, start, end) else NAME_THRESHOLD
    if info.sources == {"bare-quote"} and all(t.tag_.startswith("名詞-普通名詞") for t in sent.doc[start:end]):
        # 「アウト」: a word quoted for emphasis; 「相互依存」して: a verb's noun, no name at all
        floor = 1.0 if _quoted_verb(sent.doc, end) else max(floor, QUOTED_WORD_FLOOR)
    if p_name < floor and _remembered(sent.doc[start:end].text):
        floor = 0.0
    if p_name < floor and not _strong(info.evidence, p_name, info.sources) and not _defined(sent.doc, start, end, sent.end):
        return None
    return (not first, -(end - start), -p_name, start), start, end, ev


def _remembered(text: str) -> bool:
    """The NER train split named this string at least MEMORY_MIN times, and more often than it
    left it unnamed (the typer's name memory, ontologies/name-memory.tsv: セレッソ大阪 Organization 2,
    which the typer, seeing only a name run propose it, all but rules out)."""
    counts = tagger.memory().get(lexicon.name_key(text), {})
    named = sum(n for label, n in counts.items() if label != tagger.NOT_A_NAME)
    return named >= MEMORY_MIN and named >= counts.get(tagger.NOT_A_NAME, 0)


def _taken(kept) -> list:
    """The judged spans (``_judged``, in their sort order) that overlap none taken before them,
    as (start, end, evidence, p_name)."""
    taken: set[int] = set()
    out = []
    for key, start, end, ev in kept:
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            out.append((start, end, ev, -key[2]))
    return out


OVERRIDE_MARGIN = 0.2
TITLE_FLOOR = 0.05
MEMORY_MIN = 2  # times the NER train split named a string for the name memory alone to keep it
QUOTED_WORD_FLOOR = 0.5


def _quoted_verb(doc, end: int) -> bool:
    """A quoted word ending at ``end`` is the noun of a verb: a サ変 noun with する right after
    its closing quote (「相互依存」しており)."""
    return end + 1 < len(doc) and "サ変" in doc[end - 1].tag_ and doc[end + 1].lemma_ == "する"


def _double_quoted(doc, start: int, end: int) -> bool:
    return start > 0 and end < len(doc) and doc[start - 1].text == "『" and doc[end].text == "』"


def _given_names(doc, spans: dict[tuple[int, int], SpanInfo], out: list) -> list:
    """A kept span that starts with a given name (人名-名) grows to a candidate that ends with it
    and adds only words of its bunsetsu no span holds: the tokenizer split 十時裕樹 into 十|時|裕樹,
    and 裕樹 alone is not the name."""
    labels = doc.user_data.get("bunsetu_bi_labels") or []
    taken = covered(out)
    grown = []
    for start, end, ev in out:
        if doc[start].tag_.startswith("名詞-固有名詞-人名-名") and start < len(labels) and labels[start] != "B":
            wider = [s0 for (s0, e0) in spans if e0 == end and s0 < start and taken.isdisjoint(range(s0, start))
                     and all(k < len(labels) and labels[k] != "B" for k in range(s0 + 1, start + 1))]
            if wider:
                s0 = min(wider)
                start, ev = s0, list(ev) + spans[(s0, end)].evidence
        grown.append((start, end, ev))
    return grown


def _affixes(doc, start: int, end: int, taken: set[int], ev: list) -> tuple[int, int, int, int]:
    """Take a corporate affix written onto the name into the span (アーム社, 株式会社X) and leave it
    out of the name; returns (span start, span end, name start, name end)."""

    def affix(i: int, where: str):
        c = _cue(doc[i].text, where)
        return c if c and c.in_span and not c.part_of_name else None

    if end < len(doc) and end not in taken and not doc[end - 1].whitespace_ and affix(end, "suffix"):
        end += 1
    if start > 0 and start - 1 not in taken and not doc[start - 1].whitespace_ and affix(start - 1, "prefix"):
        start -= 1
    name_start, name_end = start, end
    while name_end - name_start > 1 and (c := affix(name_end - 1, "suffix")):
        ev.append((c.cls, W_SUFFIX, f"suffix:{c.cue}"))
        name_end -= 1
    while name_end - name_start > 1 and (c := affix(name_start, "prefix")):
        ev.append((c.cls, W_SUFFIX, f"prefix:{c.cue}"))
        name_start += 1
    return start, end, name_start, name_end


def _house(doc, end: int, ev: list) -> bool:
    """The word at token ``end``, right after a name, makes it a family or dynasty (アセン家,
    バイエルン王家, 徳川将軍家: type-cues.tsv ``house``), which JacRED marks whole as an organisation:
    the span is to take it, and the name's person evidence (the tagger's, the tokenizer's
    surname) gives way to the house's class. No span holds the token at ``end``."""
    last = doc[end - 1]
    c = _cue(doc[end].text, "house")
    if c is None or last.whitespace_ or not (last.tag_.startswith("名詞-固有名詞") or is_katakana(last)):
        return False
    ev[:] = [e for e in ev if e[0] != "Person"]
    ev.append((c.cls, W_HEAD, f"house:{c.cue}"))
    return True


def _realm(doc, end: int, ev: list) -> None:
    """A ruler's title between the span and a name (バイエルン公マクシミリアン, エリマイス王カムナスキロス1世,
    type-cues.tsv ``title``) makes the span the realm: a place (JacRED marks all 39 of its dev split
    so), and the title no honorific of the span's."""
    if end + 1 >= len(doc) or doc[end - 1].whitespace_:
        return
    title = _cue(doc[end].text, "title")
    if title is None or not _name_after_title(doc[end - 1], doc[end + 1]):
        return
    ev[:] = [e for e in ev if e[2] != f"suffix:{title.cue}"]
    ev.append(("Place", W_REALM, f"realm:{title.cue}"))


def _strong(ev, p_name: float = 1.0, sources=()) -> bool:
    """Evidence the typer cannot overrule: the gazetteer, a classifier noun; an honorific, affix
    or head word only while the typer does not all but rule the span out (工学博士 is a title,
    not 工学 with an honorific). A word the tokenizer tags as a person's name (tag:姓名, tag:人名)
    and an honorific after it together hold down to HONORIFIC_FLOOR (ナデラ氏は at a sentence
    start, 裕樹 of 十時裕樹社長)."""
    if p_name >= HONORIFIC_FLOOR and any(src in ("tag:姓名", "tag:人名") for _c, _w, src in ev) and has_honorific(ev):
        return True
    # the sequence tagger and a head word agree on the class (北ホラント州 before a town's name)
    tagged = {src[4:] for src in sources if src.startswith("crf:")}
    if p_name >= AGREED_FLOOR and any(c in tagged and src.startswith("head:") for c, _w, src in ev):
        return True
    return any(w >= W_CLASSIFIER and (p_name >= CUE_FLOOR or src.startswith(("gazetteer", "classifier")))
               for _c, w, src in ev)


HONORIFIC_FLOOR = 0.02
AGREED_FLOOR = 0.005


def _acceptable(span) -> bool:
    text = span.text.strip()
    if not text or len(text) > 60:
        return False
    if _generic(span):
        return False
    if lexicon.name_key(text) in lexicon.not_names():
        return False
    if len(span) > 1 and lexicon.name_key(span[0].text) in lexicon.not_names() \
            and all(t.tag_.startswith("名詞-普通名詞") for t in span[1:]):
        return False  # AIソフトウェア, AI分野: a word that names nothing, then common nouns
    if all(t.is_punct or t.is_space or t.like_num for t in span):
        return False
    if any(c in _BRACKETS for c in text):
        return False
    return True


def _generic(span) -> bool:
    """Common nouns ending in a word for a business (ゲーム会社, 映画会社, 自動車メーカー): a
    description, not a name (任天堂は…ゲーム会社で). The wider set of classifier nouns (協会,
    大学) ends many names the gold data writes with common nouns alone."""
    return (len(span) >= 2 and span[-1].text in ("会社", "企業", "メーカー")
            and all(t.tag_.startswith("名詞-普通名詞") for t in span))


def _trim(tokens, start: int, end: int, evidence: list) -> tuple[int, int]:
    """Drop particles, punctuation, honorifics, affixes and the parts of a place (ボリビア北東部:
    type-cues.tsv ``part``) at the edges, keeping them as evidence."""
    doc = tokens[0].doc if tokens else None
    while start < end:
        t = doc[start]
        cue = _cue(t.text, "prefix")
        if cue and not cue.part_of_name and not cue.in_span:
            evidence.append((cue.cls, W_SUFFIX, f"prefix:{cue.cue}"))
            start += 1
        elif end - start > 1 and (title := _title_before_name(t, doc[start + 1])):
            evidence.append(("Person", W_SUFFIX, f"title:{title.cue}"))
            start += 1
        elif t.pos_ in ("ADP", "PUNCT", "SYM", "AUX", "SCONJ", "CCONJ", "DET", "ADV", "PRON") or t.is_space \
                or end - start > 1 and (_stripped_prefix(t, doc[start + 1]) or _anaphoric(t)):
            start += 1
        else:
            break
    while end > start:
        t = doc[end - 1]
        cue = _cue(t.text, "suffix") or _cue(t.text, "part") or _after(t)
        if cue and not cue.part_of_name and not cue.in_span and end - start > 1:
            if cue.cls:
                evidence.append((cue.cls, W_SUFFIX, f"{cue.where}:{cue.cue}"))
            end -= 1
        elif t.pos_ in ("ADP", "PUNCT", "SYM", "AUX", "SCONJ", "CCONJ") or t.is_space:
            end -= 1
        else:
            break
    return start, end


def _title_before_name(tok, nxt) -> Cue | None:
    """A person's title written before a name (社長ヴェンディーチェ): no part of it, and evidence
    that the name is a person's."""
    c = _person_title(tok.text)
    return c if c and (is_katakana(nxt) or "人名" in nxt.tag_) else None


def _stripped_prefix(tok, nxt) -> bool:
    """A prefix written before a name that is no part of it (同, 元, 前, 駐; 米, 日 for 米国, 日本), unless
    the next word is a suffix it stems (日学株式会社: 日|学)."""
    return (tok.text in _PREFIX_STRIP or tok.text in lexicon.country_abbreviations()) and not nxt.tag_.startswith("接尾辞")


def _anaphoric(tok) -> bool:
    """同 or 当 with a head noun, pointing back at a name written before (同市大字財光寺, 同社, 当研究所):
    no part of the name after it."""
    return (tok.text[:1] in _ANAPHORIC and len(tok.text) == 2 and tok.tag_.startswith("名詞-普通名詞")
            or tok.text == "当" and tok.tag_.startswith("接頭辞"))


def _after(tok) -> Cue | None:
    """A word written onto a name that is no part of it (type-cues.tsv ``after``: a title, 立教大学講師;
    a role or relation, 英国出身, 日本企業), the token itself or the last of its short units
    (名誉教授, 内閣総理大臣)."""
    return _cue(tok.text, "after") or _last_unit_cue(tok, "after")


def _last_unit_cue(tok, where: str) -> Cue | None:
    """The cue of kind ``where`` that the last of Sudachi's short units of a longer word is
    (名誉教授 -> 教授, 短編小説 -> 小説); None for a word of one unit."""
    units = tagger.short_units(tok)
    return _cue(units[-1][0], where) if units else None


def _gazetteer_spans(words: Words, found) -> None:
    """Longest gazetteer names over token boundaries, compared by name key."""
    index, prefixes = lexicon.gazetteer_index(), lexicon.gazetteer_prefixes()
    keys, base = words.keys, words.index[0] if words.index else 0
    n = len(keys)
    i = 0
    while i < n:
        hit = None
        key = ""
        if not words.text[i].isspace():  # Token.is_space
            for j in range(i, min(n, i + 8)):
                key += keys[j]
                if key not in prefixes:
                    break
                if key in index and keys[j]:  # not ending on a dot the key leaves out (ドイツ・)
                    hit = (j + 1, index[key])
        if hit is None:
            i += 1
            continue
        j, entry = hit
        found.append((base + i, base + j, P_GAZETTEER, [(entry.cls, W_GAZETTEER, f"gazetteer:{entry.id}")]))
        i = j


def _ner_spans(ents, found) -> None:
    table = lexicon.ene_classes()
    for ent in ents:
        if any(c in _BRACKETS for c in ent.text):
            continue
        cls = table.get(ent.label_)
        evidence: list = []
        start, end = _trim(list(ent), ent.start, ent.end, evidence)
        if start >= end:
            continue
        if cls is not None:
            evidence.append((cls, W_NER, f"ner:{ent.label_}"))
        elif not evidence:
            continue  # a label that names no entity (money, dates, job titles), and no cue
        found.append((start, end, P_NER, evidence))


def _name_runs(words: Words, found) -> None:
    """Maximal runs of name tokens, joined by middle dots or (Latin) single spaces."""
    text, tag, latin, kata, name = words.text, words.tag, words.latin, words.katakana, words.name_word
    base = words.index[0] if words.index else 0
    i, n = 0, len(text)
    while i < n:
        starts_name = name[i] or (kata[i] and i + 2 < n and text[i + 1] in _DOTS and kata[i + 2])
        if not starts_name:
            i += 1
            continue
        j = i + 1
        while j < n:
            if text[j] in _DOTS and j + 1 < n and (kata[j + 1] or name[j + 1]):
                j += 2
                continue
            if name[j] and (latin[j] == latin[j - 1] or not words.spaced[j - 1]):
                j += 1
                continue
            if kata[j] and text[j - 1] in _DOTS:
                j += 1
                continue
            break
        tags = tag[i:j]
        evidence: list = []
        person_parts = sum(1 for x in tags if x.startswith("名詞-固有名詞-人名"))
        if (any(a.startswith("名詞-固有名詞-人名-姓") and b.startswith("名詞-固有名詞-人名-名") for a, b in zip(tags, tags[1:]))
                or (j - i == 1 and tags[0] == "名詞-固有名詞-人名-一般" and len(text[i]) >= 3)):
            # a surname then a given name, or a full name the dictionary knows (徳川家光): a person
            evidence.append(("Person", W_FULL_NAME, "tag:姓名"))
        if person_parts:
            evidence.append(("Person", W_NAME_TAG, "tag:人名"))
        elif any(x.startswith("名詞-固有名詞-地名") for x in tags):
            evidence.append(("Place", W_NAME_TAG, "tag:地名"))
        elif any(x in _DOTS for x in text[i:j]) and all(kata[k] or text[k] in _DOTS for k in range(i, j)):
            evidence.append(("Person", W_SHAPE, "shape:katakana-dotted"))
        found.append((base + i, base + j, P_RUN, evidence))
        _list_parts(words, i, j, found)
        i = j


def _list_parts(words: Words, i: int, j: int, found) -> None:
    """The items of a run ``[i, j)`` whose middle dot stands between two words that are not
    katakana (前田建設工業・桑原組: a list, not one foreign name), each as a candidate of its own;
    the run stays one too (大阪・中之島), and the typer weighs them."""
    text, kata = words.text, words.katakana
    cuts = [k for k in range(i + 1, j - 1) if text[k] in _DOTS and not kata[k - 1] and not kata[k + 1]]
    if not cuts:
        return
    base = words.index[0]
    start = i
    for k in [*cuts, j]:
        if start < k and k - start < j - i:
            found.append((base + start, base + k, P_RUN, []))
        start = k + 1


def _quoted(words: Words, found) -> None:
    """「X」 with a classifier: 「X」と呼ばれるチップ, 「X」というモデル, モデル「X」, or a Latin name."""
    toks = words.tokens
    n = len(toks)
    for i, t in enumerate(toks):
        close = _OPEN_QUOTES.get(t.text)
        if close is None:
            continue
        j = i + 1
        while j < n and toks[j].text != close and j - i <= 12:
            j += 1
        if j >= n or toks[j].text != close or j == i + 1:
            continue
        inner = toks[i + 1:j]
        if any(x.pos_ in ("VERB", "AUX") and not is_latin(x) for x in inner) or len(inner) > 8:
            if len(inner) <= 12 and not any(x.text in "。「」『』" for x in inner):
                found.append((inner[0].i, inner[-1].i + 1, P_BARE_QUOTE, []))
            continue
        cls = _classifier_after(toks, j + 1) or _classifier_before(toks, i)
        if cls is not None:
            found.append((inner[0].i, inner[-1].i + 1, P_QUOTED, [(cls, W_CLASSIFIER, "classifier")]))
        elif all(is_latin(x) or x.text in _DOTS or x.like_num for x in inner):
            found.append((inner[0].i, inner[-1].i + 1, P_QUOTED, []))
        else:
            found.append((inner[0].i, inner[-1].i + 1, P_BARE_QUOTE, []))  # a title, maybe: the typer judges


_COMPOUND_POS = {"NOUN", "PROPN", "NUM"}
_COMPOUND_TAGS = ("接頭辞", "接尾辞-名詞的")


def _compounds(words: Words, found) -> None:
    """Noun compounds within a bunsetsu (GiNZA's bunsetsu boundaries) that may be names: they
    hold a proper noun, a Latin or katakana word, or end in a head word (江西省, テーブルマーク株式会社,
    英国地質調査所). The span typer decides which are. A word of a compound: a noun, a prefix or
    noun-making suffix, or a Latin word (``Words.compound_word``)."""
    toks = words.tokens
    if not toks:
        return
    labels = toks[0].doc.user_data.get("bunsetu_bi_labels") or []
    text, part, base = words.text, words.compound_word, words.index[0]
    i, n = 0, len(toks)
    while i < n:
        if not part[i] or toks[i].like_num or (i > 0 and toks[i - 1].like_num and "助数詞" in words.tag[i]):
            i += 1  # a number and its counter (2004年) start no name
            continue
        j = i + 1
        while j < n and (part[j] or (text[j] in _DOTS and j + 1 < n and part[j + 1])):
            if base + j < len(labels) and labels[base + j] == "B":
                break  # a new bunsetsu
            j += 1
        if j - i >= 2:
            if (any(words.tag[k].startswith("名詞-固有名詞") or words.latin[k] or words.katakana[k] for k in range(i, j))
                    or _head_cue(lexicon.nfkc("".join(text[i:j])))):
                ev: list = []
                start, end = _trim(toks, base + i, base + j, ev)
                if end - start >= 1:
                    found.append((start, end, P_RUN, ev))
        i = j


def _classifier_after(toks, k: int) -> str | None:
    """と呼ばれる/という/などの + classifier noun, reading up to the noun's compound head."""
    n = len(toks)
    if k < n and toks[k].text in ("と", "って"):
        k += 1
        if k >= n or toks[k].lemma_ not in _NAMING_VERBS:
            return None
        while k < n and (toks[k].lemma_ in _NAMING_VERBS or toks[k].pos_ == "AUX"):
            k += 1
    elif k < n and toks[k].text == "の":
        return None
    for m in range(k, min(n, k + 5)):
        c = _classifier_cue(toks[m])
        if c:
            return c.cls
        if toks[m].pos_ not in ("NOUN", "PROPN", "ADJ", "ADP") or toks[m].text in ("を", "が", "は", "に", "で", "、"):
            break
    return None


def _classifier_before(toks, i: int) -> str | None:
    if i >= 1:
        c = _classifier_cue(toks[i - 1])
        if c:
            return c.cls
    return None


def _classifier_cue(tok) -> Cue | None:
    """The classifier noun a word is (小説, チップ) or ends with, by Sudachi's last short unit
    (短編小説 -> 小説)."""
    return _cue(tok.text, "classifier") or _cue(tok.lemma_, "classifier") or _last_unit_cue(tok, "classifier")


@lru_cache(maxsize=1)
def _head_cues() -> dict[str, Cue]:
    """Words that end a name and say its class (東京大学, 朝日新聞, 品川駅), by their text."""
    return {c.cue: c for (_t, where), c in sorted(cues().items()) if where == "head" or (where == "suffix" and c.part_of_name)}


@lru_cache(maxsize=1)
def _head_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(k) for k in _head_cues()}, reverse=True))


def _head_cue(name: str) -> Cue | None:
    """The longest head word ``name`` ends with (and is more than)."""
    heads = _head_cues()
    for n in _head_lengths():
        if len(name) > n and name[-n:] in heads:
            return heads[name[-n:]]
    return None


def _head_evidence(name: str, ev: list, place_word: bool = False) -> None:
    """The class a name's head word says (朝日新聞: Company); a place where the dictionary knows
    the last word as one (山西省 is a province, not a ministry like 外務省)."""
    c = _head_cue(lexicon.nfkc(name.strip()))
    if c is not None:
        ev.append(("Place" if place_word else c.cls, W_HEAD, f"head:{c.cue}"))


_CLOSING_QUOTES = frozenset(_OPEN_QUOTES.values())
_COPULA_WORDS = frozenset({"だ", "で", "ある", "です"})
OCCUPATION = "Position_Vocation"  # GiNZA's label for occupations and titles (政治家, 俳優)
DEFINITION_PAREN_MAX = 80  # tokens a parenthesis after the topic may run (麻生太郎(あそうたろう、…)は)


def _definition_evidence(doc, start: int, end: int, ev: list, sent_end: int) -> None:
    """A sentence XはYの…N。 defines its topic X by the noun N closing it (encyclopedia leads:
    リチャードソンは、アメリカ合衆国テキサス州にある都市。, 麻生太郎(…)は、日本の政治家。), or by the
    noun before the copula's continuative form (Xは、日本の政治家で、…; …作曲家であり、…): N's
    ``definition`` or ``classifier`` cue (ontologies/type-cues.tsv), or GiNZA's occupation label
    on N for a person, types X; a quoted title is a topic too (『逆流』は、…のアルバムである。).
    ``sent_end`` is the end of the span's sentence (``Token.sent`` scans the Doc for it)."""
    end = _past_closing_quote(doc, end)
    if end < sent_end and doc[end].text in _CLAN_SUFFIXES:
        end += 1  # 遠山氏は、…日本の氏族。: the 氏 of a clan's name
    k = after_paren(doc, end, DEFINITION_PAREN_MAX) if end < len(doc) and doc[end].text in PARENS_OPEN else end
    if k + 1 < sent_end and doc[k].text == "と" and doc[k + 1].text == "は":
        k += 1  # Xとは、…である
    if k >= sent_end or doc[k].text != "は":
        return

    def noun_at(j: int | None) -> bool:
        return j is not None and j > k + 1 and doc[j].pos_ == "NOUN"

    closing = _closing_noun(doc, k, sent_end)
    for last in (closing, _continuative_noun(doc, k, sent_end, noun_at(closing))):
        if last is not None and (of := _name_of(doc, last)) is not None and noun_at(of - 2) and doc[of - 1].text == "の":
            last = of - 2  # …ユダヤ教徒コミュニティーの名称である, …河川のひとつで、: what is named, what it is one of
        if not noun_at(last):
            continue
        noun = doc[last]
        c = _cue(noun.text, "definition") or _cue(noun.lemma_, "definition") or _cue(noun.text, "classifier") \
            or _last_unit_cue(noun, "definition")
        cls = c.cls if c else ("Person" if noun.ent_type_ == OCCUPATION else None)
        if cls:
            ev.append((cls, W_DEFINITION, f"definition:{noun.text}"))
            return


_NAME_OF = {"名称", "総称", "通称", "愛称", "呼称", "一つ", "ひとつ", "一種"}  # Xは…Nの名称である: N defines X


def _name_of(doc, last: int) -> int | None:
    """Where a word of ``_NAME_OF`` ending at token ``last`` starts (ひと|つ is two tokens), if one does."""
    if doc[last].text in _NAME_OF:
        return last
    if last >= 1 and doc[last - 1].text + doc[last].text in _NAME_OF:
        return last - 1
    return None


def _past_closing_quote(doc, end: int) -> int:
    """``end``, or past the closing quote there (the name of 『逆流』 ends before 』)."""
    return end + 1 if end < len(doc) and doc[end].text in _CLOSING_QUOTES else end


def _defined(doc, start: int, end: int, sent_end: int) -> bool:
    """The sentence defines the span as its topic (『逆流』は、長渕剛の2枚目のアルバムである。)."""
    ev: list = []
    _definition_evidence(doc, start, end, ev, sent_end)
    return bool(ev)


def _closing_noun(doc, k: int, sent_end: int) -> int | None:
    """The index of the last word of the sentence of token ``k`` (ending at ``sent_end``) before
    its copula and a bracket ending it (…プロ野球選手(外野手)である。), if the sentence ends there."""
    last = sent_end - 1
    while last > k and (doc[last].text in SENTENCE_END or doc[last].is_space):
        last -= 1
    if last == sent_end - 1:
        return None  # the sentence does not end here (a line cut short)
    if doc[last].text in PARENS_CLOSE:
        last = next((j for j in range(last - 1, k, -1) if doc[j].text in PARENS_OPEN), k + 1) - 1
    while last > k and doc[last].text in _COPULA_WORDS:
        last -= 1
    return last


def _continuative_noun(doc, k: int, sent_end: int, nominal: bool = False) -> int | None:
    """The word before the first copula で(あり)、 after token ``k`` in its sentence (ending at
    ``sent_end``; GiNZA's AUX; a case particle で, 東京で、, is no copula). In a sentence that
    closes with a noun (``nominal``: …を流れる河川で、長江中流右岸の支流。) there is no verb for a
    case particle to serve, so GiNZA's ADP で counts too."""
    for j in range(k + 2, sent_end - 1):
        t = doc[j]
        if t.text == "で" and (t.pos_ == "AUX" or (nominal or _defining(doc[j - 1])) and t.pos_ == "ADP"):
            nxt = j + 2 if doc[j + 1].text == "あり" else j + 1
            return j - 1 if nxt < len(doc) and doc[nxt].text == "、" else None
        if t.text in SENTENCE_END:
            break
    return None


def _defining(tok) -> bool:
    """A noun that says what a thing is (type-cues.tsv ``definition``: 河川, 都市, 政治家): で after it
    and a comma is the copula, whatever GiNZA calls it (…を流れる河川で、…に注いでいる)."""
    return _cue(tok.text, "definition") is not None or tok.text in _NAME_OF  # 河川のひとつで、


def _context_evidence(doc, start: int, end: int, ev: list) -> None:
    """Cues right after or before the span (X氏, X社, 株式会社X) add typing evidence."""
    if end < len(doc):
        c = _cue(doc[end].text, "suffix")
        if c:
            ev.append((c.cls, W_SUFFIX, f"suffix:{c.cue}"))
        cls = _classifier_after(doc, end)
        if cls:
            ev.append((cls, W_CLASSIFIER, "classifier"))
    if start > 0:
        c = _cue(doc[start - 1].text, "prefix")
        if c:
            ev.append((c.cls, W_SUFFIX, f"prefix:{c.cue}"))
