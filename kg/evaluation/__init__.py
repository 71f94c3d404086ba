"""Scoring kg's own output against the gold data in ../shared/eval (library of ``kg eval``).

    >>> from kg.evaluation import evaluate
    >>> report = evaluate("ner-wikipedia", limit=50)
    >>> report.parts["mentions"].metrics["typed"].f1

``evaluate`` loads a gold set (gold.py: ``seed``, ``jacred``, ``ner-wikipedia``, one record shape
for all three), runs the real pipeline over its texts (run.py), and calls each requested scorer.

Extension point: a scorer is a function ``(run: Run) -> Score | None`` registered by name with
``@scorer("name")``, in a module of this package imported at the end of this file. It reads the
gold set (``run.gold``: documents with mentions, entities, triples; ``run.gold.scheme`` maps our
classes to the dataset's types), what the pipeline made of each text (``run.extractions[doc_id]``,
``run.node(doc_id, key)`` for the graph node of a local entity key) and the alignment of
predicted entities to gold ones (``run.alignment(gold_doc)`` -> ``Alignment.gold_of[key]``, see
align.py). It returns a ``Score`` (score.py): counts per variant, per type, misses and false hits,
other figures; or None when the dataset has nothing for it to score. The relation scorer
(relations.py, ``relations``) plugs in this way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from . import gold as gold_data
from .gold import DATASETS, GoldSet
from .score import PRF, Item, Score

Scorer = Callable[["Run"], "Score | None"]
SCORERS: dict[str, Scorer] = {}


def scorer(name: str):
    """Register a scorer under ``name`` (the name ``--only`` and ``parts=`` use)."""

    def register(fn: Scorer) -> Scorer:
        SCORERS[name] = fn
        return fn

    return register


@dataclass
class Report:
    dataset: str
    split: str | None
    gold_path: Path
    predictor: str
    documents: int
    seconds: float
    parse_seconds: float
    parts: dict[str, Score]

    def as_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "split": self.split,
            "gold": str(self.gold_path),
            "predictor": self.predictor,
            "documents": self.documents,
            "seconds": round(self.seconds, 2),
            "parse_seconds": round(self.parse_seconds, 2),
            "parts": {name: score.as_dict() for name, score in self.parts.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    def format(self, misses: int = 0) -> str:
        """The report as text; ``misses`` misses and false hits listed per part."""
        head = f"kg eval {self.dataset}" + (f" ({self.split})" if self.split and self.split != self.dataset else "")
        lines = [f"{head}: {self.documents} documents from {self.gold_path}, predictor {self.predictor}, "
                 f"{self.seconds:.1f} s (parse {self.parse_seconds:.1f} s)"]
        for name, score in self.parts.items():
            lines.append("")
            lines.append(f"{name}")
            lines.append(f"  {'':16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}")
            for variant, prf in score.metrics.items():
                lines.append(_row(variant, prf))
            if score.by_type:
                lines.append(f"  by type ({next(iter(score.metrics))}):")
                for t, prf in sorted(score.by_type.items(), key=lambda kv: (-(kv[1].tp + kv[1].fn), kv[0])):
                    lines.append(_row("  " + t, prf))
            if score.figures:
                lines.append("  " + ", ".join(f"{k}: {v}" for k, v in score.figures.items()))
            for note in score.notes:
                lines.append(f"  ({note})")
            if misses:
                for title, items in (("misses", score.misses), ("false hits", score.false_hits)):
                    if items:
                        lines.append(f"  {title} ({min(misses, len(items))} of {len(items)}):")
                        lines.extend("    " + i.line() for i in items[:misses])
        return "\n".join(lines) + "\n"


def _row(name: str, prf: PRF) -> str:
    return (f"  {name:16} {prf.precision:6.3f} {prf.recall:6.3f} {prf.f1:6.3f} "
            f"{prf.tp:6d} {prf.fp:6d} {prf.fn:6d}")


def evaluate(
    dataset: str,
    gold_path: str | Path | None = None,
    *,
    split: str | None = None,
    limit: int | None = None,
    parts: Sequence[str] | None = None,
    predictor: str = "kg",
    learned: bool = True,
) -> Report:
    """Score the pipeline on a gold dataset (``seed``, ``jacred``, ``ner-wikipedia``).

    ``gold_path`` defaults to the split's file under $KG_SHARED_DIR/eval (or ../shared/eval);
    ``limit`` scores only the first N documents; ``parts`` names the scorers (default: all that
    apply); ``predictor="ginza"`` scores GiNZA's raw NER instead of the pipeline, for comparison;
    ``learned=False`` runs the relations stage with the rules alone (no pair classifier).
    """
    from .run import PREDICTORS, run

    wanted = list(parts) if parts else list(SCORERS)
    unknown = [p for p in wanted if p not in SCORERS]
    if unknown:
        raise InputError(f"unknown score part {', '.join(unknown)}: choose from {', '.join(SCORERS)}")
    if predictor not in PREDICTORS:
        raise InputError(f"unknown predictor {predictor!r}: choose one of {', '.join(PREDICTORS)}")
    gold = gold_data.load(dataset, gold_path, split, limit)
    result = run(gold, predictor, learned)
    scores = {}
    for name in wanted:
        score = SCORERS[name](result)
        if score is not None:
            scores[name] = score
    return Report(dataset, gold.split, gold.path, predictor, len(gold.documents), result.seconds,
                  result.parse_seconds, scores)


# scorer modules register themselves on import
from . import entities, relations  # noqa: E402,F401
from .run import Run  # noqa: E402

__all__ = ["DATASETS", "SCORERS", "GoldSet", "Item", "PRF", "Report", "Run", "Score", "evaluate", "scorer"]
