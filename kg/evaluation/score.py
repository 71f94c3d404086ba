"""The records scorers return: counts with precision/recall/F1, listed misses and false hits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


class PRFByType(defaultdict):
    """type label -> PRF, created on first use."""

    def __init__(self):
        super().__init__(PRF)


@dataclass(frozen=True)
class Item:
    """One miss or false hit: where, what text, which type, and what happened instead."""

    document: str
    text: str
    type: str
    begin: int | None = None
    end: int | None = None
    note: str = ""

    def line(self) -> str:
        where = f"{self.document}:{self.begin}-{self.end}" if self.begin is not None else self.document
        line = f"{where}  {self.text}  [{self.type}]" + (f"  {self.note}" if self.note else "")
        return line.replace("\n", "\\n")


@dataclass
class Score:
    """What one scorer measured. ``metrics`` maps a variant name to its counts, the headline
    variant first; ``by_type`` breaks the headline down by gold type; ``figures`` holds other
    numbers worth reporting (splits, merges...); ``notes`` say how it was measured."""

    part: str
    metrics: dict[str, PRF]
    by_type: dict[str, PRF] = field(default_factory=dict)
    misses: list[Item] = field(default_factory=list)
    false_hits: list[Item] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "metrics": {k: v.as_dict() for k, v in self.metrics.items()},
            "by_type": {k: v.as_dict() for k, v in sorted(self.by_type.items())},
            "figures": self.figures,
            "notes": self.notes,
            "misses": [asdict(i) for i in self.misses],
            "false_hits": [asdict(i) for i in self.false_hits],
        }
