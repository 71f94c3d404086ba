"""Reading predicate-argument structure off GiNZA's dependency trees and bunsetsu.

A ``Sentence`` wraps one spaCy sentence with what the matchers need: which tokens belong to
which entity (a mention owns its bunsetsu, so the honorific 氏 that carries the arc points to the
person), the case particle of each phrase, the entities a phrase refers to (coordination
AとBが, naming 「X」と呼ばれるN, an organisation's part XのチームにY, 同社 anaphora), and the
arguments of each predicate with voice normalised and omitted subjects recovered (clause chains,
relative-clause heads, the sentence topic, the topic of an earlier sentence). Everything is
computed lazily and cached per sentence, so each rule reads the same analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import lexicon
from ..mentions import cues as mention_cues
from ..model import Entity
from ..parse import PARENS_CLOSE, PARENS_OPEN, SENTENCE_END, after_paren
from ..vocab import is_a, top_class
from .rules import Lexicon, RuleSet

SUBJECT = ("が", "は", "も")
AGENT = "によって"
_AGENT_FORMS = {"によって": AGENT, "により": AGENT, "による": AGENT, "によっては": AGENT, "によりは": AGENT}
_CLOSE = set("」』）)】〕”\"")
_OPEN_QUOTES = set("「『【〔“\"")
_ARG_DEPS = {"nsubj", "obj", "obl", "iobj", "nmod", "dep", "nsubj:pass", "csubj", "advcl", "compound", "acl", "conj", "obl:tmod"}
_CHAIN_DEPS = {"advcl", "conj", "ccomp", "xcomp", "csubj"}
_CONTINUATIVE_COPULAS = frozenset({"で", "であり", "でもあり", "であって", "にして"})  # Xの研究員であり、…
_PASSIVE = {"れる", "られる"}
NOMINALIZERS = {"こと", "事", "の", "ところ", "旨"}
_CAUSATIVE = {"せる", "させる"}
_KANJI_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")}


@dataclass(frozen=True)
class Ref:
    """An entity a phrase refers to. ``token`` is where the evidence is; ``via`` says how it was
    reached when not directly ("part": the organisation of 取締役会; "name": 「X」と呼ばれるN;
    "topic": the subject of an earlier sentence; "lead": the document's lead entity, offered
    beside a carried topic of another kind)."""

    key: str
    token: int
    via: str = ""
    anaphoric: bool = False

    @property
    def inferred(self) -> bool:
        return self.via in ("topic", "lead")


@dataclass
class Arg:
    token: int  # head token of the phrase (-1 when carried from an earlier sentence)
    particle: str  # as written (には, によって, の...)
    cases: frozenset[str]  # the case slots it may fill once voice is normalised
    refs: tuple[Ref, ...]
    gap: bool = False  # a relative clause's head noun, which fills whichever slot is empty


@dataclass
class Sentence:
    doc: object
    span: object
    offset: int  # the chunk's offset into the document
    index: int  # sentence index in the document
    ent: dict[int, str]  # token -> entity key
    mentions: list[tuple[int, int, str]]  # (start, end, key) token spans in this sentence
    entities: dict[str, Entity]
    ruleset: RuleSet
    bunsetu: list[int]  # bunsetsu number of each token of the doc
    anaphoric: set[int] = field(default_factory=set)
    topic: Ref | None = None  # subject carried from an earlier sentence
    lead: Ref | None = None  # the document's lead entity (the は-topic of its first sentence)
    pending: Ref | None = None  # a name left before a parenthesis the parser cut the sentence in
    source: str | None = None  # によると source of the whole sentence
    matches: list = field(default_factory=list)  # (rule, a, b, pred, tokens, span) emitted so far, for entail rules
    _particles: dict = field(default_factory=dict)
    _refs: dict = field(default_factory=dict)
    _args: dict = field(default_factory=dict)
    _subject: dict = field(default_factory=dict)
    _owner: dict | None = None
    _factuality: dict = field(default_factory=dict)

    @property
    def lex(self) -> Lexicon:
        return self.ruleset.lexicon

    def cls(self, key: str) -> str | None:
        e = self.entities.get(key)
        return e.cls if e is not None else None

    def class_ok(self, key: str, allowed) -> bool:
        c = self.cls(key)
        return c is not None and (not allowed or is_a(c, allowed))

    def mention_span(self, ref: Ref) -> tuple[int, int] | None:
        """The token span of the mention ``ref`` was read from."""
        for s, e, key in self.mentions:
            if key == ref.key and s <= ref.token < e:
                return s, e
        return None

    def ner_ok(self, ref: Ref, labels) -> bool:
        """The mention at ``ref`` carries one of GiNZA's entity labels (or, for Country, Sudachi's
        place-name-country tag); a country must end the name (北ホラント州ヘンスブルーク is no country
        though GiNZA labels its first part one), and GiNZA's Country label does not outweigh
        Sudachi's tag for a place name of no country (ベルゲン, テルアビブ) or a personal name
        (マサチューセッツ州スプリングフィールド)."""
        if not labels:
            return True
        span = self.mention_span(ref)
        toks = list(self.doc[span[0]:span[1]]) if span else [self.doc[ref.token]] if ref.token >= 0 else []
        for t in toks:
            if t.ent_type_ in labels and (t.ent_type_ != "Country" or t is toks[-1] and not t.tag_.endswith("地名-一般") and "人名" not in t.tag_):
                return True
        last = toks[-1] if toks else None
        if last is None or "Country" not in labels:
            return False
        # Sudachi's country tag, or a country name of ontologies/places.tsv (ジョージア, ネパール), also
        # when the name is written into a longer token (フランス人の音楽評論家: the entity is フランス)
        countries = lexicon.country_names()
        if last.tag_.endswith("地名-国") or lexicon.nfkc(self.doc[span[0]:span[1]].text if span else last.text) in countries:
            return True
        e = self.entities.get(ref.key)
        return e is not None and lexicon.nfkc(e.label) in countries

    # ------------------------------------------------------------ particles

    def particle(self, tok) -> str:
        """The case particle(s) after a phrase head within its bunsetsu: が, を, には, によって, との..."""
        i = tok.i
        if i in self._particles:
            return self._particles[i]
        doc, b = self.doc, self.bunsetu
        reading = self._reading_paren(i) if i not in self.ent and i in self.paren_owner() else None
        if reading is not None:
            # a word of the reading after a name, which GiNZA made the phrase head and gave a
            # particle of the reading's own (『戦闘妖精・雪風』(せんとうようせいゆきかぜ)は: せん + と):
            # its particle is the one after the parenthesis
            j, out = self._after_paren(reading), []
            while j < len(doc) and (doc[j].pos_ in ("ADP", "SCONJ") or out and doc[j].dep_ == "fixed" and doc[j].pos_ != "PUNCT"):
                out.append(doc[j].text)
                j += 1
            self._particles[i] = "".join(out)
            return self._particles[i]
        nxt = i + 1
        if nxt >= len(doc) or b[nxt] != b[i] and doc[nxt].pos_ != "ADP" and doc[nxt].text not in PARENS_OPEN and doc[nxt].text not in _CLOSE:
            self._particles[i] = ""
            return ""
        out = []
        j = i + 1
        for start, end, _key in self.mentions:
            if start <= i < end - 1:
                j = end  # 『太陽の季節』に: read after the whole name, not its inner の
                break
        # skip what hangs off the head inside its bunsetsu (雑誌『X』を: the quoted name) and a
        # parenthesis after it (木村千歌(きむらちか、1964年-)は)
        while j < len(doc) and (b[j] == b[i] or doc[j].text in PARENS_OPEN):
            if doc[j].text in PARENS_OPEN:
                j = self._after_paren(j)
                continue
            if doc[j].pos_ not in ("ADP", "SCONJ") and (doc[j].head.i == i or doc[j].head.head.i == i and doc[j].head.i > i):
                j += 1
                continue
            break
        while j < len(doc) and (b[j] == b[i] or j == i + 1 or doc[j].text in _CLOSE and not out or out and doc[j].dep_ == "fixed"):
            t = doc[j]
            if t.text in _CLOSE and not out:
                j += 1
                continue
            if t.pos_ in ("ADP", "SCONJ") or (t.dep_ == "fixed" and t.pos_ != "PUNCT" and out):
                out.append(t.text)
                j += 1
                continue
            break
        if not out:
            # GiNZA sometimes starts a new bunsetsu at the particle; take an ADP right after
            if j < len(doc) and j == i + 1 and doc[j].pos_ == "ADP" and doc[j].head.i == i:
                out.append(doc[j].text)
        p = "".join(out)
        self._particles[i] = p
        return p

    def paren_owner(self) -> dict[int, tuple[str, int]]:
        """Tokens inside a parenthesis right after a name (or its closing quote: 『白夜行』(びゃくやこう))
        -> (that name's key, its last token)."""
        if self._owner is not None:
            return self._owner
        out: dict[int, tuple[str, int]] = {}
        ends = {e - 1: key for _s, e, key in self.mentions}
        for t in self.span:
            if t.text not in PARENS_OPEN:
                continue
            last = t.i - 1 if t.i - 1 in ends else t.i - 2 if t.i - 2 in ends and self.doc[t.i - 1].text in ("』", "」") else None
            if last is not None:
                close = self._after_paren(t.i)
                for j in range(t.i, min(close, self.span.end)):
                    out.setdefault(j, (ends[last], last))
        self._owner = out
        return out

    def _reading_paren(self, i: int) -> int | None:
        """The opening of the parenthesis holding token ``i`` if it starts with a kana reading
        (せんとうようせいゆきかぜ, or みやぎさとし、1959年…), else None."""
        doc = self.doc
        k = i
        while k > self.span.start and doc[k].text not in PARENS_OPEN:
            k -= 1
        j = k + 1
        while j < self.span.end and doc[j].text not in ("、", ",") and doc[j].text not in PARENS_CLOSE:
            j += 1
        return k if lexicon.KANA_READING.match(doc[k + 1:j].text or "-") else None

    def opens_with_particle(self) -> bool:
        """The sentence starts with the topic particle of a subject cut off before it."""
        t = self.doc[self.span.start]
        return t.pos_ == "ADP" and t.text in SUBJECT

    def _after_paren(self, j: int) -> int:
        """The token after the parenthesis opening at ``j`` (nested ones included)."""
        return after_paren(self.doc, j)

    def followed_by_comma(self, tok) -> bool:
        j = tok.i + 1
        doc = self.doc
        while j < len(doc) and self.bunsetu[j] == self.bunsetu[tok.i] and doc[j].pos_ in ("ADP", "SCONJ") and doc[j].text in ("と", "や"):
            j += 1
        return j < len(doc) and doc[j].text in ("、", ",", "，") and self.bunsetu[j] == self.bunsetu[tok.i]

    # ------------------------------------------------------------ reference

    def refs(self, tok, _depth: int = 0) -> tuple[Ref, ...]:
        """The entities the phrase headed by ``tok`` refers to (several when coordinated)."""
        i = tok.i
        if i in self._refs:
            return self._refs[i]
        self._refs[i] = ()  # cycle guard
        out: list[Ref] = []
        lex = self.lex
        key = self.ent.get(i)
        if tok.lemma_ in lex.org_parts or tok.text in lex.org_parts or tok.text.endswith(lex.org_part_suffixes):
            # XのチームにYが加わる: the team stands for the organisation that owns it
            for c in tok.children:
                if self._owns_part(c, i):
                    out.extend(Ref(r.key, r.token, "part", r.anaphoric) for r in self.refs(c, _depth + 1) if self.class_ok(r.key, ("Organization",)))
        if not out and (tok.lemma_ in lex.place_parts or tok.text in lex.place_parts) and key is None:
            for c in tok.children:
                if self._owns_part(c, i):
                    out.extend(Ref(r.key, r.token, "part", r.anaphoric) for r in self.refs(c, _depth + 1) if self.class_ok(r.key, ("Place",)))
        if not out and key is not None:
            out.append(Ref(key, i, "", i in self.anaphoric))
        if not out and key is None:
            owner = self.paren_owner().get(i)
            if owner is not None:
                # 宮城聰(みやぎさとし、1959年2月9日-)は: GiNZA hung は on the date inside the
                # parenthesis; the phrase is the name before it
                out.append(Ref(owner[0], owner[1], "", False))
        if not out:
            # 「X」と呼ばれるN / XというN: N names X
            for c in tok.children:
                if c.i < i and c.dep_ == "acl" and (c.lemma_ in lex.naming_verbs):
                    for x in c.children:
                        if x.i < c.i and self.particle(x) in ("と", "って"):
                            out.extend(Ref(r.key, r.token, "name", r.anaphoric) for r in self.refs(x, _depth + 1))
            # 山田太郎議員, ホドルコフスキー社長: a person's title after the name stands for them
            if not out and i - 1 >= self.span.start and (i - 1) in self.ent and self.doc[i - 1].head.i == i and self.bunsetu[i - 1] == self.bunsetu[i]:
                cue = mention_cues().get((tok.text, "suffix"))
                if cue is not None and self.class_ok(self.ent[i - 1], (cue.cls,)):
                    out.append(Ref(self.ent[i - 1], i - 1, "", (i - 1) in self.anaphoric))
            # 雑誌『X』: a classifier noun with the quoted name hanging off it
            if not out and i + 2 < self.span.end and self.doc[i + 1].text in _OPEN_QUOTES and (i + 2) in self.ent:
                key2 = self.ent[i + 2]
                last = max(j for j in range(i + 2, self.span.end) if self.ent.get(j) == key2 and all(self.ent.get(k) == key2 for k in range(i + 2, j + 1)))
                if last + 1 < self.span.end and self.doc[last + 1].text in _CLOSE:
                    out.append(Ref(key2, last, "name", False))
            if not out:
                out.extend(self._counted_list(tok))
            if not out:
                for c in tok.children:
                    if c.i > i and c.dep_ in ("compound", "nmod", "appos") and self.bunsetu[c.i] == self.bunsetu[i] and c.i in self.ent:
                        key2 = self.ent[c.i]
                        if all(r.key != key2 for r in out):
                            out.append(Ref(key2, c.i, "name", c.i in self.anaphoric))
        # coordination: AとBが, AやB, A、B
        kids = list(tok.children)
        if key is not None:
            kids += [d for c in kids if c.i < i and c.i not in self.ent and self.particle(c) == "の" for d in self._listed_in_modifier(c, key)]
        for c in kids:
            if c.i >= i or c.dep_ not in ("nmod", "conj", "compound", "obl", "nsubj", "dep", "appos"):
                continue
            p = self.particle(c)
            if p in lex.coordinators or (not p and c.dep_ == "conj") or (not p and c.dep_ in ("nmod", "compound", "conj") and self.followed_by_comma(c) and self.ent.get(c.i) and key) \
                    or (not p and self.ent.get(c.i) and key and (self._before_conjunction(c) or self._dot_listed(c, key))):
                for r in self.refs(c, _depth + 1):
                    if all(r.key != o.key for o in out):
                        out.append(r)
        res = tuple(out)
        self._refs[i] = res
        return res

    def _counted_list(self, tok) -> list[Ref]:
        """アルナ、オルスタド、…、イトレビグダの8つの行政区 / 小豆島町、土庄町の2町: a counted noun
        after the names it counts stands for them — read by the words, as GiNZA's tree of a long
        list is no guide, and only when the count is the number of names listed."""
        doc, start = self.doc, self.span.start
        j = tok.i - 1
        if j > start and doc[j].text == "の" and doc[j - 1].text in self.lex.counters:
            j -= 2  # 8つの行政区; else the noun is the counter (2町)
        count = _number(doc[j].text) if j >= start else None
        if count is None or count < 2 or j - 1 <= start or doc[j - 1].text != "の":
            return []
        out = self._listed_before(j - 2, count + 1)
        return out if len(out) == count and len({r.key for r in out}) == count else []

    def _listed_before(self, k: int, limit: int) -> list[Ref]:
        """The names listed up to the one ending at token ``k`` (A、B(…)、C), in text order, past
        the parentheses after them; at most ``limit``."""
        doc, start = self.doc, self.span.start
        ends = {e - 1: (b, key) for b, e, key in self.mentions}
        out: list[Ref] = []
        while len(out) < limit:
            if k >= start and doc[k].text in PARENS_CLOSE:  # ハンコ(8,386人)、
                depth = 0
                while k >= start and not (doc[k].text in PARENS_OPEN and depth == 1):
                    depth += doc[k].text in PARENS_CLOSE
                    depth -= doc[k].text in PARENS_OPEN
                    k -= 1
                k -= 1
            if k not in ends:
                break
            b, key = ends[k]
            out.append(Ref(key, k, "", k in self.anaphoric))
            k = b - 1
            if k < start or doc[k].text not in self.lex.list_joiners and doc[k].text != "・":
                break
            k -= 1
        return out[::-1]

    def _listed_in_modifier(self, c, key: str, hops: int = 3) -> list:
        """ドラマーのA、ベーシストのB / A、キーボード担当のB: GiNZA hangs A on the words that
        qualify B (``c``, a の-modifier naming nothing); A, a name of B's class closed by a comma,
        is listed with B."""
        out = []
        for d in c.children:
            if d.i >= c.i:
                continue
            if d.i in self.ent:
                if self.followed_by_comma(d) and self.cls(self.ent[d.i]) == self.cls(key):
                    out.append(d)
            elif hops > 1 and d.pos_ in ("NOUN", "PROPN"):
                out.extend(self._listed_in_modifier(d, key, hops - 1))
        return out

    def _owns_part(self, c, i: int) -> bool:
        """``c`` names the whole of the part word at ``i``: Xの西岸, X南部 — not a name listed
        before it with a comma, which GiNZA may hang on it (ディラ地区、ドバイ・クリーク西岸の…)."""
        if c.i >= i or c.dep_ not in ("nmod", "compound"):
            return False
        p = self.particle(c)
        return p == "の" or not p and not self.followed_by_comma(c)

    def _dot_listed(self, c, key: str) -> bool:
        """床次竹二郎・山崎達之輔・内田信也を: names of one class (not places: フランス・パリ is a
        place in a place) joined by a ・ that is no part of either name."""
        j = c.i + 1
        if j + 1 >= self.span.end or self.doc[j].text != "・":
            return False
        ends = any(start <= c.i < end == j for start, end, _k in self.mentions)
        starts = any(start == j + 1 for start, _end, _k in self.mentions)
        cls = self.cls(self.ent[c.i])
        return ends and starts and cls is not None and cls == self.cls(key) and not self.class_ok(key, ("Place", "Facility"))

    def _before_conjunction(self, c) -> bool:
        """A conjunction word follows the name ``c`` (アルタイ共和国およびアルタイ地方: GiNZA hangs
        the first name on the second as a modifier and および on the second)."""
        j = c.i + 1
        return j < self.span.end and self.doc[j].pos_ == "CCONJ" and self.doc[j].text in self.lex.coordinators

    # ------------------------------------------------------------ predicates

    def voice(self, pred) -> str:
        aux = [c.lemma_ for c in pred.children if c.dep_ == "aux" and c.i > pred.i]
        if any(a in _CAUSATIVE for a in aux):
            return "causative"
        if any(a in _PASSIVE for a in aux):
            return "passive"
        return "active"

    def cases(self, particle: str, voice: str, nominal: bool) -> frozenset[str]:
        p = particle
        if len(p) > 1 and p[-1] in "はも" and p[:-1] in ("に", "で", "から", "へ", "と", "まで", "より"):
            p = p[:-1]
        if nominal and len(p) > 1 and p.endswith("の"):
            p = p[:-1]  # への -> へ, との -> と, による(の) stays agentive below
        p = _AGENT_FORMS.get(p, p)
        if voice == "passive":
            if p in SUBJECT:
                return frozenset({"を", p})
            if p in (AGENT, "から"):
                return frozenset({"が", p})
            if p == "に":
                return frozenset({"が", "に"})
        elif voice == "causative":
            if p in SUBJECT:
                return frozenset({"causer"})
            if p == "に":
                return frozenset({"が", "に"})
        if nominal and p == AGENT:
            return frozenset({"が", p})
        return frozenset({p})

    def arguments(self, pred) -> list[Arg]:
        """The arguments of ``pred``: its particle-marked dependents, plus a recovered subject
        (clause chain, sentence topic, earlier topic) and a relative-clause gap."""
        if pred.i in self._args:
            return self._args[pred.i]
        voice = self.voice(pred)
        nominal = pred.pos_ in ("NOUN", "PROPN") and not any(c.dep_ in ("aux", "cop") for c in pred.children) and not self.verbal_noun_end(pred)
        args: list[Arg] = []
        co_agents: list[Arg] = []
        for c in pred.children:
            if c.i >= pred.i or c.dep_ not in _ARG_DEPS:
                continue
            p = self.particle(c)
            if self._co_agent(c):
                co_agents.extend(self._co_agents(c))
                continue
            if c.pos_ in ("NOUN", "PROPN"):
                # AとともにXを創刊した: GiNZA may hang とともに on the noun after it (詩誌『X』)
                # rather than on the verb; it still says who acts with the subject
                for k in c.children:
                    if k.i < c.i and self._co_agent(k):
                        co_agents.extend(self._co_agents(k))
            if not p and c.dep_ == "advcl" and c.i in self.ent and not nominal and self.class_ok(self.ent[c.i], ("Place",)) \
                    and any(k.dep_ == "cop" and k.text == "で" for k in c.children):
                p = "で"  # …、マサチューセッツ州スプリングフィールドで、…に生まれた: GiNZA took で for a copula
            if not p and c.dep_ == "compound" and nominal:
                if c.i + 1 < pred.i and self.ent.get(c.i + 1) == self.ent.get(c.i):
                    continue  # not the last token of its name
                p = "の"  # Microsoft出資: a compound before a nominal predicate acts like XのN
            if not p:
                continue
            refs = self.refs(c)
            if refs:
                if p == "の" and not nominal and pred.dep_ == "acl":
                    # リッペ州教会のあるノルトライン・ヴェストファーレン州: の marks the subject of a
                    # relative clause (が-の conversion)
                    p = "が"
                args.append(Arg(c.i, p, self.cases(p, voice, nominal), refs))
        if any(a.particle == "が" for a in args) and any(a.particle == "は" for a in args):
            gov = self.governor(pred)
            if gov is not None and gov[1] in ("complement", "nominal"):
                # Xは、YがZに加わったと述べた: GiNZA may hang the speaker's は on the reported clause
                args = [a for a in args if a.particle != "は"]
        governed = nominal and (self.governor(pred) or (None, ""))[1] == "argument"
        if governed:
            # マイクロソフトはOpenAIの買収を検討: with the agent the verb's subject, XのN is the object
            args = [Arg(a.token, a.particle, a.cases | {"を"}, a.refs) if a.particle == "の" else a for a in args]
        if not any(a.particle in SUBJECT or "が" in a.cases and a.particle != AGENT for a in args) and (not nominal or governed):
            sub = self.subject(pred)
            if sub is not None:
                args.append(Arg(sub.token, "が", self.cases("が", voice, nominal), sub.refs))
        if co_agents and any(a.particle in SUBJECT or "が" in a.cases and a.particle != AGENT for a in args):
            args.extend(co_agents)  # only beside a subject: they act with it
        gap = self.gap(pred)
        if gap is not None:
            args.append(gap)
        self._args[pred.i] = args
        return args

    def _co_agent(self, c) -> bool:
        """``c`` is 共/とも/一緒 marked by に (Yと共に, Yとともに, Yと一緒に)."""
        return c.lemma_ in self.lex.co_agents and c.i not in self.ent and self.particle(c) == "に"

    def _co_agents(self, c) -> list[Arg]:
        """成瀬仁蔵と共に…を創設した: the partners of と before ``c`` act with the subject."""
        return [Arg(partner.i, "と共に", frozenset({"が"}), refs) for partner in c.children
                if partner.i < c.i and self.particle(partner) == "と" and (refs := self.refs(partner))]

    def gap(self, pred) -> Arg | None:
        """アルトマン氏が率いるチーム: the noun a relative clause modifies."""
        if pred.dep_ != "acl" or pred.head.i <= pred.i:
            return None
        head = pred.head
        if head.lemma_ in self.ruleset.factuality.modality_nouns or head.lemma_ in NOMINALIZERS:
            return None
        refs = self.refs(head)
        if refs and (head.text == "用" or head.i + 1 < self.span.end and self.doc[head.i + 1].text == "用" and self.bunsetu[head.i + 1] == self.bunsetu[head.i]):
            refs = ()  # Xから発売されたファミリーコンピュータ用の…ゲーム: a name with 用 says what the thing is for
        if refs and pred.lemma_ in self.lex.locative_verbs and self.particle(head) == "の" and head.head.i > head.i \
                and head.head.i not in self.ent:
            # Zは、XにあるY線の駅で、…: the clause places the predicate noun the name modifies, which
            # stands for the subject; XにあるJR東日本の駅 places the station, not the company
            sub = self.copula_subject(head.head)
            if not sub and all(self.class_ok(r.key, ("Organization",)) for r in refs):
                return None
            refs = sub or refs
        if not refs:
            refs = self.copula_subject(head)
        if not refs and pred.lemma_ in self.lex.locative_verbs:
            refs = self._named_modifier(pred, head) or self._modified_subject(head)
        if not refs and any(c.dep_ == "nummod" for c in head.children):
            # ZはXにより制作された全36話の番組: GiNZA hangs the clause on the count (全36話) that
            # qualifies the predicate noun; the clause still describes the subject
            refs = self._modified_subject(head)
        if not refs:
            return None
        return Arg(head.i, "", frozenset(), refs, gap=True)

    def _named_modifier(self, pred, head) -> tuple[Ref, ...]:
        """チルドレス郡にあるブラッドレー3号牧場の住所: a locative clause GiNZA hangs on the noun
        (住所) a name right after the verb modifies with の; the clause places the name."""
        j = self._tail_end(pred)
        m = next((m for m in self.mentions if m[0] == j), None)
        if m is None:
            return ()
        last = self.doc[m[1] - 1]
        if self.particle(last) != "の" or last.head.i != head.i:
            return ()
        return self.refs(last)

    def _modified_subject(self, noun, hops: int = 3) -> tuple[Ref, ...]:
        """園城寺は、滋賀県大津市園城寺町にある天台寺門宗の総本山の寺院。: a locative clause GiNZA
        hangs on a の-modifier (宗) of the predicate noun (寺院), past nouns naming no entity, places
        the predicate noun's subject."""
        for _ in range(hops):
            if noun.i in self.ent or self.particle(noun) != "の" or noun.head.i <= noun.i:
                return ()
            noun = noun.head
            refs = self.copula_subject(noun) if noun.i not in self.ent else ()
            if refs:
                return refs
        return ()

    def copula_subject(self, noun) -> tuple[Ref, ...]:
        """ZはXにあるN(だ): a predicate noun stands for its subject; so does a noun closing the
        first clause with the continuative copula in a sentence closing with a noun (Zは、Xにある
        都市で、Yの郡庁所在地。: GiNZA tags で a case particle and hangs N on the last noun)."""
        noun = self._one_of(noun)
        if noun.dep_ in ("ROOT", "advcl", "conj") or any(c.dep_ == "cop" for c in noun.children):
            sub = self.subject(noun)
        elif self._continuative_noun(noun):
            sub = self.subject(noun.head)
        else:
            return ()
        return sub.refs if sub is not None else ()

    def _one_of(self, noun):
        """ZはXが作曲した協奏曲のうちの一つ。: past the words that make a noun one of a set
        (lexicon one_of: 一つ, うち, 一人) to the predicate noun, which then stands for Z too."""
        while self.particle(noun) == "の" and noun.head.i > noun.i:
            head = noun.head
            num = self.doc[head.i - 1] if head.i - 1 > noun.i and self.doc[head.i - 1].dep_ == "nummod" else None
            word = (num.text if num is not None else "") + head.text
            if word not in self.lex.one_of and head.lemma_ not in self.lex.one_of:
                break
            noun = head
        return noun

    def _continuative_noun(self, noun) -> bool:
        """Zは、…の都市で、…の郡庁所在地。: ``noun`` (no name) ends a clause with で and a comma
        and hangs on the noun closing the sentence, which is then the predicate of both."""
        head, end = noun.head, self._tail_end(noun)
        if noun.i in self.ent or head.i <= noun.i or head.dep_ != "ROOT" or head.pos_ not in ("NOUN", "PROPN"):
            return False
        if self.doc[noun.i + 1:end].text != "で" or end >= self.span.end or self.doc[end].text != "、":
            return False
        nxt = head.i + 1
        while nxt < self.span.end and (self.doc[nxt].pos_ == "AUX" or self.doc[nxt].text == "ある"):
            nxt += 1
        return nxt >= self.span.end or self.doc[nxt].text in SENTENCE_END

    def governor(self, node) -> tuple[object, str] | None:
        """The predicate a clause depends on, and how: "complement" (…と述べた), "nominal"
        (…ことを発表した),
        "chain" (…し、…した), "relative" (…するN) or "other"."""
        head = node.head
        if head.i == node.i:
            return None
        if node.dep_ == "acl" and head.lemma_ in NOMINALIZERS:
            up = head.head
            if up.i != head.i and up.i > head.i:
                return up, "nominal"
            return None
        p = self.particle(node)
        if p in ("と", "とも", "って", "か", "とは") or self.tail_text(node).endswith("と"):
            return head, "complement"
        if node.pos_ in ("NOUN", "PROPN") and node.dep_ in ("obj", "nsubj", "obl") and head.pos_ == "VERB" and head.i > node.i and p in ("を", "が", "に", "も", "は"):
            return head, "argument"  # OpenAIへの出資を発表した: the event noun is the verb's argument
        if node.dep_ in _CHAIN_DEPS or node.dep_ == "acl" and self._continuative_copula(node):
            return head, "chain"
        if node.dep_ == "acl":
            return head, "relative"
        return head, "other"

    def _continuative_copula(self, node) -> bool:
        """Xの研究員であり、Yの研究員である / Xの研究員にして、…: GiNZA hangs the first noun on the
        second as if it were a relative clause, but a copula's continuative form before a comma
        chains two predicates of one subject."""
        end = self._tail_end(node)
        return self.doc[node.i + 1:end].text in _CONTINUATIVE_COPULAS and end < self.span.end and self.doc[end].text == "、"

    def tail_text(self, tok) -> str:
        """The text after ``tok`` to the end of its bunsetsu (し, た, ない, と...)."""
        return self.doc[tok.i + 1:self._tail_end(tok)].text

    def _tail_end(self, tok) -> int:
        doc, b = self.doc, self.bunsetu
        j = tok.i + 1
        while j < len(doc) and b[j] == b[tok.i] and doc[j].pos_ != "PUNCT":
            j += 1
        return j

    def _stray_topic(self, pred) -> Arg | None:
        """A は-topic GiNZA hung inside a relative clause before ``pred`` (任天堂は京都市に本社を
        置くゲーム会社で、…を発売した), or on a noun modifying another (『眠れるヴィーナス』は
        イタリア、…の巨匠Zが描いた絵画: hung on イタリア). は marks neither a relative clause's own
        subject nor a noun's modifier, so it is the topic of the sentence and outranks the topic of
        an earlier one."""
        for t in self.span:
            if t.i >= pred.i:
                break
            if self.particle(t) == "は" and (t.head.dep_ == "acl" or t.head.dep_ == "nmod" and t.head.i > t.i) and t.lemma_ not in NOMINALIZERS:
                refs = self.refs(t)
                if refs:
                    return Arg(t.i, "は", frozenset({"が"}), refs)
        return None

    def verbal_noun_end(self, pred) -> bool:
        """1920年、ペトログラード大学に入学。: a verbal (サ変) noun closing the sentence without
        する acts as its verb (体言止め, the style of encyclopedia biographies)."""
        end = pred.i + 1
        if not pred.tag_.endswith("サ変可能") or pred.i in self.ent:
            return False
        if pred.dep_ == "ROOT":
            return end >= self.span.end or self.doc[end].text in SENTENCE_END
        # 詩誌『X』を創刊、詩人として活動した: a verbal noun with its を-object before a comma ends a
        # clause the way 創刊し does (連用中止)
        return (pred.dep_ in ("advcl", "conj") and end < self.span.end and self.doc[end].text in ("、", ",")
                and any(c.i < pred.i and c.dep_ == "obj" and self.particle(c) == "を" for c in pred.children))

    def subject(self, pred) -> Arg | None:
        """The subject of ``pred``: its own が/は-phrase (the nearest), else the は-topic of a
        clause before it, else shared down a chain of clauses (XがYに加わり、Zを率いる; XはYと
        述べた; XはYを構築していることを発表した), else the topic of an earlier sentence."""
        if pred.i in self._subject:
            return self._subject[pred.i]
        self._subject[pred.i] = None
        found = None
        kids = [c for c in pred.children if c.i < pred.i]
        # XとはYである: the phrase a predicate noun defines is its subject (not Xとは異なる)
        own = [c for c in kids if c.dep_ not in ("case", "punct", "mark", "aux", "cop", "advcl", "acl", "conj") and c.lemma_ not in NOMINALIZERS
               and (self.particle(c) in SUBJECT or self.particle(c) == "とは" and pred.pos_ in ("NOUN", "PROPN"))]
        if not own and self.pending is not None and self.opens_with_particle():
            # 大崎貞和(おおさき… / …) / は、日本の法学者。: GiNZA cut the sentence inside the
            # parenthesis; the name before it is the subject of what follows
            found = Arg(-1, self.doc[self.span.start].text, frozenset({"が"}), (self.pending,))
            self._subject[pred.i] = found
            return found
        ga = [c for c in own if self.particle(c) == "が"]
        if ga:
            candidates = ga
        else:
            # Xは…し、Yは…した: the nearest topic, whether GiNZA hung it on this predicate or on
            # a clause before it
            candidates = own + [t for c in kids if c.dep_ in ("advcl", "conj") for t in c.children
                                if t.i < c.i and t.dep_ in ("nsubj", "dep", "obl") and self.particle(t) == "は"]
        if not candidates:
            # the speaker's は hung on the reported clause (Xは、YがZと述べた)
            for c in kids:
                if self.governor(c) in ((pred, "complement"), (pred, "nominal")):
                    inner = [t for t in c.children if t.i < c.i and self.particle(t) in SUBJECT and t.lemma_ not in NOMINALIZERS]
                    tops = [t for t in inner if self.particle(t) == "は"]
                    if tops and any(self.particle(t) == "が" and t.i > tops[0].i for t in inner):
                        candidates = tops[:1]
                        break
        if candidates:
            c = max(candidates, key=lambda t: t.i)
            refs = self.refs(c)
            if refs:
                found = Arg(c.i, self.particle(c), frozenset({"が"}), refs)
            elif c.dep_ in ("nsubj", "nsubj:pass"):
                return None  # a subject that names no entity (同僚が, 会社は) blocks inheritance
        if found is None:
            gov = self.governor(pred)
            if gov is not None and gov[1] in ("complement", "nominal", "chain", "argument") and gov[0].i > pred.i:
                found = self.subject(gov[0])
            elif gov is not None and gov[1] == "relative" and gov[0].lemma_ in self.ruleset.factuality.modality_nouns:
                # XはYに加わる予定だ: the clause before a modality noun shares the sentence's subject
                found = self.subject(gov[0])
            elif gov is None:
                found = self._stray_topic(pred)
                if found is None and self.topic is not None:
                    found = Arg(-1, "は", frozenset({"が"}), self._carried())
        if found is None:
            found = self._opening_topic(pred)
        self._subject[pred.i] = found
        return found

    def _carried(self) -> tuple[Ref, ...]:
        """Who an omitted subject stands for: the carried topic, and beside it the document's
        lead entity when the two are of different kinds (「T中研は…連載された。…東京都出身。」 in
        an article about 福野礼一郎: a company cannot be born in Tokyo, the article's person can).
        The engine keeps the lead's fact only where the topic gave none."""
        topic, lead = self.topic, self.lead
        if lead is None or lead.key == topic.key:
            return (topic,)
        a, b = self.entities.get(topic.key), self.entities.get(lead.key)
        if a is None or b is None or top_class(a.cls) == top_class(b.cls):
            return (topic,)
        return (topic, lead)

    def _opening_topic(self, pred) -> Arg | None:
        """麻生太郎(あそうたろう、1940年〈昭和15年〉9月20日-)は、日本の政治家、実業家。: a name
        opening the sentence with は (past its parenthesis) is the subject of the noun closing it,
        with only nouns between them, however GiNZA hung the words around the parenthesis (it
        often makes the name the root and the predicate noun a compound of nothing)."""
        doc, span = self.doc, self.span
        if pred.pos_ not in ("NOUN", "PROPN") or pred.i in self.ent:
            return None
        nxt = pred.i + 1
        if nxt < span.end and doc[nxt].text in PARENS_OPEN:
            nxt = self._after_paren(nxt)  # …出身のプロ野球選手(外野手、内野手)。
        while nxt < span.end and (doc[nxt].pos_ == "AUX" and doc[nxt].lemma_ == "だ" or doc[nxt].text == "ある"):
            nxt += 1  # である
        if nxt < span.end and doc[nxt].text not in SENTENCE_END:
            return None
        first = next((m for m in self.mentions if m[0] == span.start), None)
        if first is None:
            return None
        head = doc[first[1] - 1]
        j = first[1]
        while j < span.end and doc[j].text in PARENS_OPEN:
            j = self._after_paren(j)
        if self.particle(head) != "は" and not (j < span.end and doc[j].text == "は"):
            return None
        if any(t.pos_ in ("VERB", "ADJ") or t.lemma_ in ("する",) or t.text in PARENS_OPEN for t in doc[j:pred.i]):
            return None
        refs = self.refs(head)
        return Arg(head.i, "は", frozenset({"が"}), refs) if refs else None


def _number(text: str) -> int | None:
    """8, ８, 十二: a small count written in digits or kanji, else None."""
    t = lexicon.nfkc(text)
    if t.isdigit():
        return int(t)
    if t and all(c in _KANJI_DIGITS or c == "十" for c in t):
        if "十" not in t:
            return int("".join(str(_KANJI_DIGITS[c]) for c in t))
        tens, _, ones = t.partition("十")
        return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    return None
