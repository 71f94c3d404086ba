"""Relation rules as data: load, validate and hold the YAML rule files.

A rule file is a YAML mapping with a ``rules:`` list (and, for the factuality file, cue lists).
Every rule has an ``id`` (versioned: ``join_org.v1``), a ``description`` with a Japanese example,
a ``kind`` naming the matcher that reads its pattern, the ``relation`` it emits (a relation of
ontologies/kg.ttl), a ``confidence`` in [0, 1] and ``examples`` the test suite runs one by one.
Problems are reported as RuleError naming the file, the rule and what is wrong.

Kinds (the matchers live in engine.py and are registered by name):
- ``frame``: a predicate (``lemmas``) with argument slots by particle: ``subject`` and ``object``,
  each ``{particles: [...], classes: [...]}``; ``voice`` active (default), passive or any.
- ``appositive``: X の TITLE (である|の|で|、) Z — ``titles`` nouns name the relation of Z to X
  (マイクロソフトの会長兼CEOであるサティア・ナデラ氏); ``direction: of_to_holder`` makes X the subject
  (OpenAIのAIモデルであるGPT -> OpenAI developerOf GPT).
- ``possessive``: X の Z with X and Z of the given classes (MicrosoftのAzure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..errors import RuleError
from ..vocab import classes, relations

KINDS = ("frame", "appositive", "possessive")
_RULE_KEYS = {"id", "description", "kind", "relation", "confidence", "examples", "pattern", "direction", "voice"}


@dataclass(frozen=True)
class Slot:
    particles: tuple[str, ...]
    classes: tuple[str, ...]


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
    voice: str = "active"
    examples: tuple[Example, ...] = ()

    # frame
    @property
    def lemmas(self) -> frozenset[str]:
        return frozenset(self.pattern.get("lemmas", ()))

    def slot(self, name: str) -> Slot | None:
        s = self.pattern.get(name)
        if s is None:
            return None
        return Slot(tuple(s.get("particles", ())), tuple(s.get("classes", ())))

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(self.pattern.get("titles", ()))


@dataclass(frozen=True)
class Factuality:
    """Cue lists for negation, modality and attribution (rules/factuality.yaml)."""

    negation: frozenset[str]
    modality: dict  # surface or lemma -> modality value
    modality_nouns: dict  # noun a clause modifies -> modality (可能性 -> possible)
    conditional: frozenset[str]
    reporting_verbs: frozenset[str]
    source_markers: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    factuality: Factuality

    def by_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    def frame_index(self) -> dict[str, tuple[Rule, ...]]:
        out: dict[str, list[Rule]] = {}
        for r in self.by_kind("frame"):
            for lemma in r.lemmas:
                out.setdefault(lemma, []).append(r)
        return {k: tuple(v) for k, v in out.items()}


def builtin_rule_files() -> list:
    folder = resources.files("kg.relations").joinpath("rules")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


@lru_cache(maxsize=8)
def load_rules(extra: tuple[str, ...] = ()) -> RuleSet:
    """The built-in rules plus the user's rule files (``kg build --rules FILE``)."""
    rules: list[Rule] = []
    factuality: dict = {}
    for f in builtin_rule_files():
        _load_file(f.read_text(encoding="utf-8"), f"kg/relations/rules/{f.name}", rules, factuality)
    for path in extra:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise RuleError(f"{path}: cannot read rule file ({getattr(e, 'strerror', None) or e})") from None
        _load_file(text, str(path), rules, factuality)
    seen: dict[str, str] = {}
    for r in rules:
        if r.id in seen:
            raise RuleError(f"{r.source}: rule {r.id}: id already used in {seen[r.id]}")
        seen[r.id] = r.source
    return RuleSet(tuple(rules), _factuality(factuality))


def _load_file(text: str, source: str, rules: list, factuality: dict) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RuleError(f"{source}: not valid YAML{where}: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{source}: a rule file must be a mapping with a 'rules:' list")
    unknown = set(data) - {"rules", "factuality"}
    if unknown:
        raise RuleError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected 'rules' and optionally 'factuality'")
    if "factuality" in data:
        if not isinstance(data["factuality"], dict):
            raise RuleError(f"{source}: 'factuality' must be a mapping of cue lists")
        for k, v in data["factuality"].items():
            factuality.setdefault(k, {} if isinstance(v, dict) else [])
            if isinstance(v, dict):
                factuality[k].update(v)
            else:
                factuality[k].extend(v)
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
    if rel not in relations():
        fail(f"relation {rel!r} is not in ontologies/kg.ttl (known: {', '.join(relations())})")
    conf = item["confidence"]
    if not isinstance(conf, (int, float)) or isinstance(conf, bool) or not 0 <= conf <= 1:
        fail(f"confidence must be a number in [0, 1], not {conf!r}")
    pattern = item["pattern"]
    if not isinstance(pattern, dict):
        fail("'pattern' must be a mapping")
    direction = item.get("direction", "holder_to_of")
    if direction not in ("holder_to_of", "of_to_holder"):
        fail("direction must be holder_to_of or of_to_holder")
    voice = item.get("voice", "active")
    if voice not in ("active", "passive", "any"):
        fail("voice must be active, passive or any")
    known_classes = set(classes())
    if kind == "frame":
        lemmas = pattern.get("lemmas")
        if not isinstance(lemmas, list) or not lemmas or not all(isinstance(x, str) for x in lemmas):
            fail("a frame pattern needs 'lemmas': a list of predicate lemmas")
        for slot in ("subject", "object"):
            s = pattern.get(slot)
            if not isinstance(s, dict) or not isinstance(s.get("particles"), list) or not s["particles"]:
                fail(f"a frame pattern needs '{slot}: {{particles: [...], classes: [...]}}'")
            _check_classes(s.get("classes", []), known_classes, fail, f"{slot}.classes")
        extra = set(pattern) - {"lemmas", "subject", "object"}
        if extra:
            fail(f"unknown pattern key(s) {sorted(extra)}")
    else:
        for key in ("holder", "of"):
            _check_classes(pattern.get(key), known_classes, fail, key, required=True)
        if kind == "appositive":
            titles = pattern.get("titles")
            if not isinstance(titles, list) or not titles or not all(isinstance(x, str) for x in titles):
                fail("an appositive pattern needs 'titles': a list of nouns")
        extra = set(pattern) - {"holder", "of", "titles"}
        if extra:
            fail(f"unknown pattern key(s) {sorted(extra)}")
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
        conditional=frozenset(d.get("conditional", [])),
        reporting_verbs=frozenset(d.get("reporting_verbs", [])),
        source_markers=tuple(d.get("source_markers", [])),
    )
