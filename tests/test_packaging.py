"""The installed package carries every module and data file (pip install . without -e works)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_packaging_lists_every_python_package_under_kg():
    listed = set(_config()["packages"])
    for init in (ROOT / "kg").rglob("__init__.py"):
        name = ".".join(init.parent.relative_to(ROOT).parts)
        assert name in listed, f"add {name} to [tool.setuptools] packages in pyproject.toml"


def test_packaging_ships_every_ontology_and_query_file():
    data = _config()["package-data"]
    patterns = {"kg.ontologies": ROOT / "ontologies", "kg.queries": ROOT / "queries", "kg.examples": ROOT / "examples"}
    for pkg, folder in patterns.items():
        globs = data[pkg]
        for f in folder.iterdir():
            if f.is_file() and f.name != "__init__.py" and not f.name.startswith("."):
                assert any(f.match(g) for g in globs), f"{f} is not shipped: add its pattern to package-data {pkg}"
