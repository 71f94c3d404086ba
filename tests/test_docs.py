"""The documentation stays true: the CLI reference is the commands' current help, the Turtle in
docs/output.md is in the examples' graph, its SPARQL runs and finds rows, and links resolve."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from rdflib import Graph

import kg

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
OUTPUT_MD = ROOT / "docs" / "output.md"


def _blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_docs_cli_reference_is_generated_from_the_current_help():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == gen.render(), f"docs/cli.md is stale; regenerate it with: {gen.COMMAND}"
    from kg.cli import COMMANDS

    for name in COMMANDS:
        assert f"## kg {name}\n" in current, f"docs/cli.md lacks kg {name}"


def test_docs_output_turtle_excerpts_are_in_the_examples_graph(examples_graph):
    from kg.vocab import PREFIXES

    blocks = _blocks(OUTPUT_MD, "turtle")
    assert len(blocks) >= 4
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    excerpt = Graph().parse(data=head + "\n".join(blocks), format="turtle")
    missing = [t for t in excerpt if t not in examples_graph]
    if missing:
        now = Graph()
        for p, ns in PREFIXES.items():
            now.bind(p, ns)
        for s in {t[0] for t in missing}:
            shown = set(excerpt.predicate_objects(s))
            # the subject itself, or (a statement's IRI changes with its rule) the one most like it
            best = max(set(examples_graph.subjects()), key=lambda c: (c == s, len(shown & set(examples_graph.predicate_objects(c)))))
            for p, o in examples_graph.predicate_objects(best):
                now.add((best, p, o))
        pytest.fail(f"docs/output.md shows {len(missing)} triples the examples' graph (kg build) no longer has, "
                    f"e.g. {missing[0]}; update its excerpts. The graph now reads:\n{now.serialize(format='turtle')}")


@pytest.mark.parametrize("n", range(len(_blocks(OUTPUT_MD, "sparql"))))
def test_docs_output_sparql_example_runs_and_finds_rows(examples_graph, n):
    store = kg.open_store(examples_graph)
    query = _blocks(OUTPUT_MD, "sparql")[n]
    assert len(kg.sparql(store, query, sparql_only=True)) > 0, f"docs/output.md query {n + 1} finds nothing:\n{query}"


_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_docs_relative_links_point_to_files_that_exist(path):
    broken = []
    for target in _LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file = target.split("#", 1)[0]
        if not (path.parent / file).exists():
            broken.append(target)
    assert not broken, f"{path.name} links to missing files: {broken}"
