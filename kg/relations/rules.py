"""Relation rules as data: load, validate and hold the YAML rule files.

A rule file is a YAML mapping with a ``rules:`` list and, optionally, ``factuality:`` cue lists and
``lexicon:`` word lists (the built-in ones are kg/relations/rules/factuality.yaml and
lexicon.yaml; a user file may add to them). Every rule has an ``id`` (versioned:
``join_org.v1``), a ``description`` with a Japanese example, a ``kind`` naming the matcher that
reads its ``pattern``, the ``relation`` it emits (a relation of ontologies/kg.ttl, or ``related``),
a ``confidence`` in [0, 1] and ``examples`` the test suite runs one by one. Problems are reported
as RuleError naming the file, the rule and what is wrong. docs/rules.md describes the format.

Kinds (the matchers live in matchers.py and are registered by name):
- ``frame``: a predicate (``lemmas``) with argument slots by particle, ``subject`` and ``object``,
  each ``{particles: [...], classes: [...], ner: [...]}``. Particles are matched after voice is
  normalised (passive: the が-phrase fills the を-slot and によって/から/に the が-slot).
- ``scope``: a phrase setting the scope of what follows (Xでは, Xにおいては) and a predicate
  (``lemmas``) in its stretch: each entity named after the scope fitting ``member`` is related to X
  fitting ``scope`` (NBAではA、B、Cでプレイした: the teams are part of the league; 日本では
  NET系列で放送された: the broadcaster is in Japan), up to the next scope phrase.
- ``role``: a title noun (``titles``, or any noun GiNZA labels with one of ``title_ner``) relating
  its ``holder`` to the ``of`` entity: XのTITLEであるZ, X TITLEのZ, ZはXのTITLEだ, ZがXのTITLEに
  就任する, ZをXのTITLEに選ぶ, ZがXのTITLEを務める; ``of_chain``: the larger places X is listed
  under count as X too (オランダ・北ホラント州X出身); ``of_topic``: with no owner written, the
  sentence's は-topic or the topic carried from earlier sentences owns the title (妻の賀川ハル in
  an article about 賀川豊彦; inferred when carried); ``of_scope`` (a slot): with no owner written,
  the one entity named before the title that fits it owns it (ノルウェーでは首都オスロ). Besides
  the forms above, a role reads 妻はZ and 弟にZがいる.
- ``possessive``: X の Z with X and Z of the given classes (MicrosoftのAzure), also ZはXのN where
  N is one of ``heads`` ("*": any noun); ``levels_required``: Z is an administrative division
  below X; ``levels_consistent``: the levels of the place names do not contradict Z in X.
- ``name_prefix``: the name of a ``holder`` entity opens with the whole name of an ``of`` entity
  the sentence names on its own, ending at a word boundary (インド原子力委員会 … インド初の核実験:
  the commission is in India; not インドネシア銀行 … インド).
- ``pair``: a relational noun or predicate (``lemmas``) whose argument coordinates two members of
  a symmetric relation (MicrosoftとIntelのパートナーシップ, AとBは結婚した).
- ``hierarchy``: a run of places from larger to smaller (スペイン、ガリシア州、ルーゴ県), each in the
  one before it, judged by the level of the names (lexicon ``place_levels``).
- ``entail``: a fact of a relation in ``from`` whose ``subject`` and ``object`` fit the slots
  gives this relation too, on the same evidence (a city in a state is also a part of it;
  ``levels_consistent``: the levels of the place names do not contradict it); it runs after the
  other sentence matchers.
- ``compose``: two facts of one sentence sharing an entity give a third between their other
  sides: a step of a relation in ``first`` from the subject to a middle entity, then a step of one
  in ``then`` from it to the object (``first_inverse`` / ``then_inverse``: that step runs from the
  fact's object to its subject; ``then_exclude``: rule ids whose facts make no second step);
  ``subject`` / ``object`` slots as for entail. It runs after entail
  (アイルランドの作家ジェイムズ・ジョイスの小説: the novel's country is its author's).
- ``closure``: A in B and B in C asserted in the chunk give A in C (``over``: the relations
  followed); a chain across sentences gives an inferred fact. It runs once per chunk, after the
  sentence matchers (matchers.DOCUMENT_MATCHERS). With ``subject`` / ``object`` slots, A and C
  must fit them at one of their mentions in the chunk (and ``levels_consistent`` as for entail);
  when the relation is not one of ``over``, each single fact of ``over`` whose sides fit gives it
  too (a town in a state, however found, is a part of it when both are administrative).
- ``lead``: a document default. The lead entity (the は-topic of the document's first sentence)
  fitting the ``lead`` slot has a fact of a relation in ``from`` to one object fitting ``object``
  (a place in one country); every other entity of the document fitting ``subject`` that has no
  such fact of its own gets this relation to that object, inferred (the other towns of an
  article about a Norwegian town are in Norway). A document matcher too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..errors import RuleError
from ..mentions import cues as mention_cues
from ..vocab import classes, relations

KINDS = ("frame", "scope", "role", "possessive", "parenthetical", "name_prefix", "pair", "hierarchy", "entail", "compose", "closure", "lead", "known_place")
RELATED = "related"
_RULE_KEYS = {"id", "description", "kind", "relation", "confidence", "examples", "pattern", "direction", "voice", "measured"}
_PATTERN_KEYS = {
    "frame": {"lemmas", "subject", "object"},
    "scope": {"lemmas", "scope", "member"},
    "role": {"titles", "title_ner", "holder", "of", "forms", "of_chain", "of_topic", "of_scope"},
    "possessive": {"holder", "of", "connectors", "heads", "levels_required", "levels_consistent"},
    "parenthetical": {"holder", "of", "trailing", "levels_below"},
    "name_prefix": {"holder", "of"},
    "pair": {"lemmas", "members"},
    "hierarchy": {"holder", "of", "levels_required"},
    "entail": {"from", "subject", "object", "levels_consistent"},
    "compose": {"first", "then", "first_inverse", "then_inverse", "then_exclude", "subject", "object"},
    "closure": {"over", "subject", "object", "levels_consistent"},
    "lead": {"from", "lead", "subject", "object"},
    "known_place": {"from", "subject"},
}
ROLE_FORMS = ("appositive", "suffix", "copula", "appoint", "serve")
_SLOT_KEYS = {"particles", "classes", "ner", "exclude", "admin", "natural", "water", "leveled", "region", "area", "endings"}


@dataclass(frozen=True)
class Slot:
    particles: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    ner: tuple[str, ...] = ()  # GiNZA entity labels (Country, City...) one of the mention's tokens must carry
    exclude: tuple[str, ...] = ()  # classes left out (an Organization that is not a Company)
    admin: bool = False  # an administrative division: a country, or a name with a level suffix (市, 州) or GiNZA's City/Province label
    natural: bool = True  # false: no name of a natural feature (lexicon natural_suffixes: 川, 湖, 島)
    water: bool = True  # false: no name of a body of water (lexicon water_suffixes: 川, 湖, 湾, 海)
    leveled: bool = False  # the name ends in a level suffix (lexicon place_levels: 州, 県, 市) after a stem of 2+ characters
    region: bool = True  # false: no continent or world region (lexicon regions: ヨーロッパ, 北アフリカ)
    area: bool = True  # false: no statistical area (lexicon area_suffixes: 大都市圏)
    endings: tuple[str, ...] = ()  # the name ends in one of these (a league: …リーグ, NBA)


@dataclass(frozen=True)
class Example:
    text: str
    expect: tuple[tuple[str, str, str], ...]  # (subject name, relation, object name)
    expect_none: bool = False
    note: str = ""
    xfail: str = ""  # a known failure, with the reason (the parse or the missing piece that breaks it)


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    kind: str
    relation: str
    confidence: float
    source: str
    pattern: dict = field(hash=False, compare=False, default_factory=dict)
    direction: str = "holder_to_of"
    voice: str = "any"
    examples: tuple[Example, ...] = ()

    @cached_property
    def lemmas(self) -> frozenset[str]:
        return frozenset(self.pattern.get("lemmas", ()))

    def slot(self, name: str) -> Slot:
        s = self.pattern.get(name)
        if s is None:
            return Slot()
        if isinstance(s, list):  # role/possessive shorthand: a list of classes
            return Slot(classes=tuple(s))
        return Slot(tuple(s.get("particles", ())), tuple(s.get("classes", ())), tuple(s.get("ner", ())), tuple(s.get("exclude", ())),
                    bool(s.get("admin", False)), bool(s.get("natural", True)), bool(s.get("water", True)), bool(s.get("leveled", False)),
                    bool(s.get("region", True)), bool(s.get("area", True)), tuple(s.get("endings", ())))

    @cached_property
    def subject(self) -> Slot:
        return self.slot("subject")

    @cached_property
    def object(self) -> Slot:
        return self.slot("object")

    @cached_property
    def holder(self) -> Slot:
        return self.slot("holder")

    @cached_property
    def of(self) -> Slot:
        return self.slot("of")

    @cached_property
    def members(self) -> Slot:
        return self.slot("members")

    @cached_property
    def entailed_from(self) -> frozenset[str]:
        return frozenset(self.pattern.get("from", ()))

    @cached_property
    def titles(self) -> tuple[str, ...]:
        return tuple(self.pattern.get("titles", ()))

    @cached_property
    def title_ner(self) -> frozenset[str]:
        return frozenset(self.pattern.get("title_ner", ()))

    @cached_property
    def forms(self) -> frozenset[str]:
        return frozenset(self.pattern.get("forms", ROLE_FORMS))

    @cached_property
    def connectors(self) -> tuple[str, ...]:
        return tuple(self.pattern.get("connectors", ("の",)))

    @cached_property
    def heads(self) -> frozenset[str]:
        return frozenset(self.pattern.get("heads", ()))


@dataclass(frozen=True)
class Factuality:
    """Cue lists for negation, modality and attribution (rules/factuality.yaml)."""

    negation: frozenset[str]
    modality: dict  # surface cue after a predicate -> modality value
    modality_nouns: dict  # noun a clause modifies -> modality (可能性 -> possible)
    hedging_verbs: dict  # verb whose と-complement is hedged (考える -> speculative, in the passive)
    conditional: frozenset[str]
    reporting_verbs: frozenset[str]
    source_markers: tuple[str, ...]
    asserting_links: frozenset[str]  # clause endings that keep a subordinate clause asserted (ため, ので)
    cancel_verbs: frozenset[str]  # 出資を中止する: the event noun they govern does not happen
    plan_verbs: frozenset[str]  # 買収を検討する: the event noun they govern is planned


@dataclass(frozen=True)
class Lexicon:
    """Word lists the engine reads (rules/lexicon.yaml)."""

    coordinators: frozenset[str]  # particles joining coordinated noun phrases (と, や)
    list_joiners: frozenset[str]  # the words between the names of a written list (、, と, や)
    counters: frozenset[str]  # つ of 8つの行政区: a counter after a number counting listed names
    naming_verbs: frozenset[str]  # 「X」と呼ばれるN: N names X
    org_parts: frozenset[str]  # XのチームにY加わる: the part stands for the organisation
    org_part_suffixes: tuple[str, ...]  # アンカラ大学の政治学部: a word ending so is a part of the organisation
    place_parts: frozenset[str]  # ウガンダ南部: the part stands for the place
    one_of: frozenset[str]  # XのうちのN一つ: the words making a noun one of a set
    title_prefixes: frozenset[str]  # 元社長, 共同創業者
    title_joiners: frozenset[str]  # 会長兼CEO
    title_modifiers: frozenset[str]  # 最大の投資家: a word before の that qualifies a title without owning it
    appoint_subject: frozenset[str]  # ZがXのTITLEに就任する: the subject takes the title
    appoint_object: frozenset[str]  # YがZをXのTITLEに選ぶ: the object takes the title
    serve_verbs: frozenset[str]  # ZがXのTITLEを務める
    exist_verbs: frozenset[str]  # 弟にZがいる: the subject holds the title
    kin_copulas: frozenset[str]  # ZはXの娘にあたる: the subject is what the title says
    locative_verbs: frozenset[str]  # ZはXにあるAのN: a relative clause of these on a の-modifier of the predicate noun places Z too
    co_agents: frozenset[str]  # YとともにXが…した: Y acts with the subject (共, とも, 一緒)
    adnominal_titles: frozenset[str]  # X出身の人物: the title describes the noun after it
    occupation_suffixes: frozenset[str]  # 興行家, 研究者: a suffix making an occupation
    place_levels: dict  # place-name suffix -> administrative level (州 2, 県 3, 市 4); countries are 1
    natural_suffixes: frozenset[str]  # 川, 湖, 島: a place named so is a natural feature, not an administrative division
    water_suffixes: frozenset[str]  # 川, 湖, 湾: a natural feature named so is a body of water, which nothing is a part of
    agent_titles: frozenset[str]  # 主演, 製作: what an agent did, written between the name and による
    rank_titles: frozenset[str]  # 公, 伯: X公Z names Z by the rank held over place X
    admin_nouns: frozenset[str]  # 市, 都市, ムニシピオ: a predicate noun naming an administrative division
    regions: frozenset[str]  # ヨーロッパ, 北アフリカ: continents and world regions, in no country and no administrative division
    area_suffixes: tuple[str, ...]  # 大都市圏: a statistical area, which holds no place the way a division does
    scope_times: frozenset[str]  # 時, 中: メキシコ革命時には sets the event as a scope
    anaphors: dict  # 同社 -> classes it may refer to
    pronouns: dict  # 彼 -> classes


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    factuality: Factuality
    lexicon: Lexicon
    inferred_factor: float = 0.8  # confidence factor for facts resting on an earlier sentence's topic
    anaphor_factor: float = 0.9  # confidence factor for facts resting on 同社/彼 anaphora
    # the learned source beside the rules (learned.PairClassifier), None for rules only
    learned: object = field(default=None, compare=False, hash=False)
    # the learned source across the sentences of a document (docpairs.DocPairClassifier), None for rules only
    documents: object = field(default=None, compare=False, hash=False)

    def by_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    @cached_property
    def frame_index(self) -> dict[str, tuple[Rule, ...]]:
        """Predicate lemma -> frame rules (and pair rules, which read predicates too)."""
        out: dict[str, list[Rule]] = {}
        for r in self.rules:
            if r.kind in ("frame", "pair"):
                for lemma in r.lemmas:
                    out.setdefault(lemma, []).append(r)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def predicate_heads(self) -> frozenset[str]:
        """Every ending of a frame or pair lemma: a token whose lemma is not one of these heads
        no predicate a rule names (資金提供 ends in 提供, 手を組む in 組む)."""
        return frozenset(k[n:] for k in self.frame_index for n in range(len(k)))

    @cached_property
    def title_index(self) -> dict[str, tuple[Rule, ...]]:
        out: dict[str, list[Rule]] = {}
        for r in self.by_kind("role"):
            for t in r.titles:
                out.setdefault(t, []).append(r)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def title_ner_rules(self) -> dict[str, tuple[Rule, ...]]:
        out: dict[str, list[Rule]] = {}
        for r in self.by_kind("role"):
            for label in r.title_ner:
                out.setdefault(label, []).append(r)
        return {k: tuple(v) for k, v in out.items()}


def builtin_rule_files() -> list:
    folder = resources.files("kg.relations").joinpath("rules")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


# bench/calibrate_rules.py measures rules at their hand-set confidence: it turns this off
USE_CALIBRATION = True
CALIBRATION_FILE = "calibration.yaml"


@lru_cache(maxsize=8)
def load_rules(extra: tuple[str, ...] = (), learned: bool = True) -> RuleSet:
    """The built-in rules plus the user's rule files (``kg build --rules FILE``), with the
    confidences measured by bench/calibrate_rules.py (rules/calibration.yaml) where it has them;
    ``learned`` adds the pair classifiers (learned.py, docpairs.py) as sources beside the rules."""
    rules: list[Rule] = []
    factuality: dict = {}
    lexicon: dict = {}
    calibration: dict = {}
    for f in builtin_rule_files():
        if f.name == CALIBRATION_FILE:
            calibration = _calibration(f.read_text(encoding="utf-8"), f"kg/relations/rules/{f.name}")
            continue
        _load_file(f.read_text(encoding="utf-8"), f"kg/relations/rules/{f.name}", rules, factuality, lexicon)
    for path in extra:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise RuleError(f"{path}: cannot read rule file ({getattr(e, 'strerror', None) or e})") from None
        _load_file(text, str(path), rules, factuality, lexicon)
    seen: dict[str, str] = {}
    for r in rules:
        if r.id in seen:
            raise RuleError(f"{r.source}: rule {r.id}: id already used in {seen[r.id]}")
        seen[r.id] = r.source
    factors = {}
    if USE_CALIBRATION and calibration:
        measured = calibration.get("rules", {})
        rules = [replace(r, confidence=float(measured[r.id]["confidence"])) if r.id in measured else r for r in rules]
        factors = {k: float(calibration[k]) for k in ("inferred_factor", "anaphor_factor") if k in calibration}
    from .docpairs import DocPairClassifier
    from .learned import PairClassifier

    return RuleSet(tuple(rules), _factuality(factuality), _lexicon(lexicon), **factors,
                   learned=PairClassifier() if learned else None, documents=DocPairClassifier() if learned else None)


def _calibration(text: str, source: str) -> dict:
    """rules/calibration.yaml: measured confidences, written by bench/calibrate_rules.py."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        raise RuleError(f"{source}: not valid YAML: {e}") from None
    cal = data.get("calibration") if isinstance(data, dict) else None
    if not isinstance(cal, dict) or not isinstance(cal.get("rules", {}), dict):
        raise RuleError(f"{source}: expected a 'calibration:' mapping with 'rules:'; rerun bench/calibrate_rules.py")
    for rid, entry in cal.get("rules", {}).items():
        conf = entry.get("confidence") if isinstance(entry, dict) else None
        if not isinstance(conf, (int, float)) or not 0 <= conf <= 1:
            raise RuleError(f"{source}: rule {rid}: calibrated confidence must be a number in [0, 1]")
    return cal


def _merge_section(data, name: str, source: str, into: dict) -> None:
    if name not in data:
        return
    if not isinstance(data[name], dict):
        raise RuleError(f"{source}: '{name}' must be a mapping of word lists")
    for k, v in data[name].items():
        if not isinstance(v, (list, dict)):
            raise RuleError(f"{source}: {name}.{k} must be a list or a mapping, not {v!r}")
        into.setdefault(k, {} if isinstance(v, dict) else [])
        if isinstance(v, dict) != isinstance(into[k], dict):
            raise RuleError(f"{source}: {name}.{k} must be a {'mapping' if isinstance(into[k], dict) else 'list'}")
        if isinstance(v, dict):
            into[k].update(v)
        else:
            into[k].extend(v)


def _load_file(text: str, source: str, rules: list, factuality: dict, lexicon: dict | None = None) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RuleError(f"{source}: not valid YAML{where}: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{source}: a rule file must be a mapping with a 'rules:' list")
    unknown = set(data) - {"rules", "factuality", "lexicon"}
    if unknown:
        raise RuleError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected 'rules', 'factuality', 'lexicon'")
    _merge_section(data, "factuality", source, factuality)
    _merge_section(data, "lexicon", source, lexicon if lexicon is not None else {})
    items = data.get("rules", [])
    if not isinstance(items, list):
        raise RuleError(f"{source}: 'rules' must be a list")
    for n, item in enumerate(items, start=1):
        rules.append(_parse_rule(item, source, n))


def _parse_rule(item, source: str, n: int) -> Rule:
    if not isinstance(item, dict):
        raise RuleError(f"{source}: rule #{n}: must be a mapping")
    rid = item.get("id")
    where = f"{source}: rule {rid}" if rid else f"{source}: rule #{n}"

    def fail(msg: str):
        raise RuleError(f"{where}: {msg}")

    if not isinstance(rid, str) or "." not in rid:
        fail("needs an 'id' with a version, like 'join_org.v1'")
    unknown = set(item) - _RULE_KEYS
    if unknown:
        fail(f"unknown key(s) {sorted(unknown)}")
    for key in ("description", "kind", "relation", "confidence", "pattern"):
        if key not in item:
            fail(f"missing '{key}'")
    kind = item["kind"]
    if kind not in KINDS:
        fail(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    rel = item["relation"]
    if rel not in relations() and rel != RELATED:
        fail(f"relation {rel!r} is not in ontologies/kg.ttl (known: {', '.join(relations())}, related)")
    conf = item["confidence"]
    if not isinstance(conf, (int, float)) or isinstance(conf, bool) or not 0 <= conf <= 1:
        fail(f"confidence must be a number in [0, 1], not {conf!r}")
    pattern = item["pattern"]
    if not isinstance(pattern, dict):
        fail("'pattern' must be a mapping")
    extra = set(pattern) - _PATTERN_KEYS[kind]
    if extra:
        fail(f"unknown pattern key(s) {sorted(extra)} for kind {kind} (allowed: {', '.join(sorted(_PATTERN_KEYS[kind]))})")
    direction = item.get("direction", "holder_to_of")
    if direction not in ("holder_to_of", "of_to_holder"):
        fail("direction must be holder_to_of or of_to_holder")
    voice = item.get("voice", "any")
    if voice not in ("active", "passive", "any"):
        fail("voice must be active, passive or any")
    known_classes = set(classes())

    def check_slot(name: str, required: bool, particles: bool) -> None:
        s = pattern.get(name)
        if s is None:
            if required:
                fail(f"a {kind} pattern needs '{name}'")
            return
        if isinstance(s, list) and not particles:
            _check_classes(s, known_classes, fail, name)
            return
        if not isinstance(s, dict):
            fail(f"'{name}' must be a mapping like {{particles: [...], classes: [...]}}")
        bad = set(s) - _SLOT_KEYS
        if bad:
            fail(f"'{name}' has unknown key(s) {sorted(bad)} (allowed: particles, classes, ner, exclude, admin, natural, water, leveled, region, area, endings)")
        for flag in ("admin", "natural", "water", "leveled", "region", "area"):
            if not isinstance(s.get(flag, flag in ("natural", "water", "region", "area")), bool):
                fail(f"'{name}.{flag}' must be true or false")
        if particles and (not isinstance(s.get("particles"), list) or not s["particles"] or not all(isinstance(p, str) for p in s["particles"])):
            fail(f"'{name}' needs 'particles': a list of case particles (が, を, に...)")
        _check_classes(s.get("classes", []), known_classes, fail, f"{name}.classes")
        _check_classes(s.get("exclude", []), known_classes, fail, f"{name}.exclude")
        if not isinstance(s.get("ner", []), list):
            fail(f"'{name}.ner' must be a list of GiNZA entity labels")
        endings = s.get("endings", [])
        if not isinstance(endings, list) or not all(isinstance(x, str) and x for x in endings):
            fail(f"'{name}.endings' must be a list of name endings")

    def check_words(key: str, required: bool) -> None:
        v = pattern.get(key)
        if v is None:
            if required:
                fail(f"a {kind} pattern needs '{key}': a list of words")
            return
        if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
            fail(f"'{key}' must be a non-empty list of words")

    if kind == "frame":
        check_words("lemmas", True)
        check_slot("subject", True, True)
        check_slot("object", True, True)
    elif kind == "scope":
        check_words("lemmas", True)
        check_slot("scope", True, False)
        check_slot("member", True, False)
    elif kind == "role":
        check_words("titles", "title_ner" not in pattern)
        check_words("title_ner", False)
        check_slot("holder", True, False)
        check_slot("of", True, False)
        check_slot("of_scope", False, False)
        for flag in ("of_chain", "of_topic"):
            if not isinstance(pattern.get(flag, False), bool):
                fail(f"'{flag}' must be true or false")
        forms = pattern.get("forms", list(ROLE_FORMS))
        if not isinstance(forms, list) or not set(forms) <= set(ROLE_FORMS):
            fail(f"'forms' must be a list drawn from {', '.join(ROLE_FORMS)}")
    elif kind == "possessive":
        check_slot("holder", True, False)
        check_slot("of", True, False)
        conns = pattern.get("connectors", ["の"])
        if not isinstance(conns, list) or not all(isinstance(c, str) for c in conns):
            fail("'connectors' must be a list of strings (\"の\", \"\")")
        check_words("heads", False)
    elif kind == "parenthetical":
        check_slot("holder", True, False)
        check_slot("of", True, False)
        check_words("trailing", False)
        if not isinstance(pattern.get("levels_below", False), bool):
            fail("'levels_below' must be true or false")
    elif kind == "name_prefix":
        check_slot("holder", True, False)
        check_slot("of", True, False)
    elif kind == "hierarchy":
        check_slot("holder", True, False)
        check_slot("of", True, False)
    elif kind in ("entail", "lead"):
        src = pattern.get("from")
        if not isinstance(src, list) or not src or not all(isinstance(x, str) and x in relations() for x in src):
            fail("'from' must be a list of relations whose facts entail this one" if kind == "entail" else
                 "'from' must be a list of relations whose facts about the lead entity are carried to the others")
        lead = kind == "lead"
        if lead:
            check_slot("lead", True, False)
        check_slot("subject", lead, False)
        check_slot("object", lead, False)
    elif kind == "known_place":
        src = pattern.get("from")
        if not isinstance(src, list) or not src or not all(isinstance(x, str) and x in relations() for x in src):
            fail("'from' must be a list of relations whose facts already put a place in a country")
        check_slot("subject", True, False)
    elif kind == "compose":
        for key in ("first", "then"):
            steps = pattern.get(key)
            if not isinstance(steps, list) or not steps or not all(isinstance(x, str) and x in relations() for x in steps):
                fail(f"'{key}' must be a list of relations whose facts make that step of the chain")
        for flag in ("first_inverse", "then_inverse"):
            if not isinstance(pattern.get(flag, False), bool):
                fail(f"'{flag}' must be true or false")
        skip = pattern.get("then_exclude", [])
        if not isinstance(skip, list) or not all(isinstance(x, str) and "." in x for x in skip):
            fail("'then_exclude' must be a list of rule ids (like 'released_in_country_by.v1') whose facts make no second step")
        check_slot("subject", False, False)
        check_slot("object", False, False)
    elif kind == "closure":
        over = pattern.get("over", [rel])
        if not isinstance(over, list) or not all(isinstance(x, str) and x in relations() for x in over):
            fail("'over' must be a list of relations whose chains the closure follows")
        check_slot("subject", False, False)
        check_slot("object", False, False)
    elif kind == "pair":
        check_words("lemmas", True)
        check_slot("members", True, False)
        info = relations().get(rel)
        if info is None or not info.symmetric:
            fail(f"a pair rule needs a symmetric relation, and {rel!r} is not one")
    examples = item.get("examples")
    if not isinstance(examples, list) or not examples:
        fail("needs 'examples': at least one {text, expect} the tests run")
    parsed_examples = []
    for k, ex in enumerate(examples, start=1):
        if not isinstance(ex, dict) or not isinstance(ex.get("text"), str):
            fail(f"example #{k} needs a 'text'")
        expect = ex.get("expect", [])
        if not isinstance(expect, list) or not all(isinstance(t, list) and len(t) == 3 for t in expect):
            fail(f"example #{k}: 'expect' must be a list of [subject, relation, object]")
        for t in expect:
            if t[1] not in relations():
                fail(f"example #{k}: unknown relation {t[1]!r}")
        if not expect and not ex.get("expect_none"):
            fail(f"example #{k}: give 'expect' triples or 'expect_none: true'")
        parsed_examples.append(Example(ex["text"], tuple(tuple(t) for t in expect), bool(ex.get("expect_none")), str(ex.get("note", "")), str(ex.get("xfail", ""))))
    return Rule(
        id=rid,
        description=str(item["description"]),
        kind=kind,
        relation=rel,
        confidence=float(conf),
        source=source,
        pattern=pattern,
        direction=direction,
        voice=voice,
        examples=tuple(parsed_examples),
    )


def _check_classes(value, known, fail, name, required=False) -> None:
    if value is None and not required:
        return
    if not isinstance(value, list) or (required and not value):
        fail(f"'{name}' must be a list of classes")
    for c in value:
        if c not in known:
            fail(f"'{name}' names unknown class {c!r} (known: {', '.join(sorted(known))})")


def _factuality(d: dict) -> Factuality:
    return Factuality(
        negation=frozenset(d.get("negation", [])),
        modality=dict(d.get("modality", {})),
        modality_nouns=dict(d.get("modality_nouns", {})),
        hedging_verbs=dict(d.get("hedging_verbs", {})),
        conditional=frozenset(d.get("conditional", [])),
        reporting_verbs=frozenset(d.get("reporting_verbs", [])),
        source_markers=tuple(d.get("source_markers", [])),
        asserting_links=frozenset(d.get("asserting_links", [])),
        cancel_verbs=frozenset(d.get("cancel_verbs", [])),
        plan_verbs=frozenset(d.get("plan_verbs", [])),
    )


def _place_parts() -> frozenset[str]:
    """ウガンダ南部: the words for a part of a place, which the mentions stage trims off a name
    (the ``part`` cues of ontologies/type-cues.tsv)."""
    return frozenset(c.cue for (_text, where), c in mention_cues().items() if where == "part")


def _lexicon(d: dict) -> Lexicon:
    def words(key):
        return frozenset(d.get(key, []))

    return Lexicon(
        coordinators=words("coordinators"),
        list_joiners=words("list_joiners"),
        counters=words("counters"),
        naming_verbs=words("naming_verbs"),
        org_parts=words("org_parts"),
        org_part_suffixes=tuple(sorted(words("org_part_suffixes"))),
        place_parts=words("place_parts") | _place_parts(),
        one_of=words("one_of"),
        title_prefixes=words("title_prefixes"),
        title_joiners=words("title_joiners"),
        title_modifiers=words("title_modifiers"),
        appoint_subject=words("appoint_subject"),
        appoint_object=words("appoint_object"),
        serve_verbs=words("serve_verbs"),
        exist_verbs=words("exist_verbs"),
        kin_copulas=words("kin_copulas"),
        locative_verbs=words("locative_verbs"),
        co_agents=words("co_agents"),
        adnominal_titles=words("adnominal_titles"),
        occupation_suffixes=words("occupation_suffixes"),
        place_levels={k: int(v) for k, v in dict(d.get("place_levels", {})).items()},
        natural_suffixes=words("natural_suffixes"),
        water_suffixes=words("water_suffixes"),
        regions=words("regions"),
        area_suffixes=tuple(words("area_suffixes")),
        scope_times=words("scope_times"),
        admin_nouns=words("admin_nouns"),
        rank_titles=words("rank_titles"),
        agent_titles=words("agent_titles"),
        anaphors={k: tuple(v) for k, v in dict(d.get("anaphors", {})).items()},
        pronouns={k: tuple(v) for k, v in dict(d.get("pronouns", {})).items()},
    )
