"""``kg build``: inputs to graph.ttl and graph.html."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import pipeline
from ..export import write_turtle
from ..io import example_inputs
from ..view import write_html
from . import EXIT_PARTIAL


@click.command("build")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=str))
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory for graph.ttl and graph.html [default: output/].")
@click.option("--rules", "rules", multiple=True, type=click.Path(dir_okay=False, path_type=str),
              help="Extra YAML rule file (repeatable); see docs/rules.md.")
@click.option("--no-learned", "no_learned", is_flag=True,
              help="Facts from the rules only: leave out the learned pair classifier (kg:learned statements).")
@click.option("--encoding", default=None, help="Force the input encoding (e.g. cp932, euc_jp); default: detect.")
@click.option("--strict", is_flag=True, help="Fail the whole run on any unreadable input.")
@click.option("--no-html", is_flag=True, help="Write graph.ttl only.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
@click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also add the documents to this on-disk store (created if new; same ids are replaced).")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), envvar="KG_CACHE_DIR",
              default=None, help="Keep parses in DIR and reuse them [default: $KG_CACHE_DIR, else ~/.cache/kg].")
@click.option("--no-cache", is_flag=True, help="Neither read nor keep parses.")
@click.option("--workers", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes that parse and extract in parallel (0: one per CPU).")
@click.option("--cluster", metavar="ADDRESS", default=None,
              help="Run on a Dask cluster (scheduler address, or local:N) and write N-Quads shards to DIR/shards/.")
def command(inputs, output, rules, no_learned, encoding, strict, no_html, quiet, store, cache_dir, no_cache, workers, cluster):
    """Build a knowledge graph from Japanese text.

    INPUTS are .txt files, directories (every .txt below them) and .jsonl files of
    {"id": ..., "text": ...} records. With no INPUTS the bundled examples are built.

    Parses are kept in a cache, so building the same texts again (say, after changing
    rules) skips the parser. With --cluster the graph is written as N-Quads shards,
    one named graph per document, plus DIR/shards/entities.nq.

    \b
    Examples:
      kg build                                   # bundled examples -> output/
      kg build article.txt news/ -o out/         # files and folders -> out/graph.ttl, out/graph.html
      kg build corpus.jsonl --rules my-rules.yaml -o out/
      kg build corpus.jsonl --no-learned -o out/ # rules only, no learned pair classifier
      kg build news/ --store kg-store/           # and add them to a queryable store
      kg build corpus.jsonl --workers 2 -o out/  # two processes
      kg build corpus.jsonl --cluster tcp://scheduler:8786 -o /shared/out/
    """
    console = Console(stderr=True, quiet=quiet)
    out_dir = output or Path("output")
    if not inputs:
        inputs = tuple(example_inputs())
    cache = False if no_cache else (cache_dir or True)
    if cluster and store is not None:
        raise click.UsageError("--store cannot be used with --cluster: load the shards into the store instead (see README, Scaling out)")
    skipped = []

    def on_skip(item):
        skipped.append(item)
        click.echo(f"kg: skipped {item}", err=True)  # one line per input, never wrapped
        if strict:
            raise click.ClickException(f"{item} (--strict: stopping)")

    with Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True,
                  disable=quiet) as progress:  # no refresh thread when quiet
        task = progress.add_task("parse", total=None)
        if cluster:
            from ..cluster import build_shards

            report = build_shards(inputs, output=out_dir, cluster=cluster, rules=rules, learned=not no_learned, encoding=encoding, cache=cache,
                                  on_skip=on_skip, on_document=lambda doc: progress.advance(task))
        else:
            graph = pipeline.build(
                inputs, rules=rules, learned=not no_learned, encoding=encoding, cache=cache, workers=workers,
                on_skip=on_skip,
                on_start=lambda total: progress.update(task, total=total),
                on_document=lambda doc: progress.advance(task),
            )
            report = graph.report
    if report.documents == 0:
        raise click.ClickException("no documents could be read; nothing was built")
    if not cluster:
        write_turtle(graph, out_dir / "graph.ttl")
        if not no_html:
            write_html(graph, out_dir / "graph.html", title=f"kg: {out_dir.name}")
    if store is not None:
        from ..store import add_to_store

        change = add_to_store(store, graph.extractions)
        console.print(f"store {store}: {change.summary()}", highlight=False)
    if not quiet:
        print_summary(report, out_dir, console=Console(quiet=quiet))
    if skipped:
        sys.exit(EXIT_PARTIAL)


def print_summary(report, out_dir: Path, console: Console) -> None:
    table = Table(title=f"kg build: {out_dir}", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("documents", str(report.documents))
    table.add_row("sentences", str(report.sentences))
    table.add_row("mentions", str(report.mentions))
    table.add_row("entities", str(report.entities))
    for cls, n in sorted(report.entities_by_class.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(f"  {cls}", str(n))
    table.add_row("facts (direct triples)", str(sum(report.facts_by_relation.values())))
    for rel, n in sorted(report.facts_by_relation.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(f"  {rel}", str(n))
    table.add_row("statements", str(report.statements))
    table.add_row("triples", str(report.triples))
    table.add_row("skipped inputs", str(len(report.skipped)))
    table.add_row("parses from the cache", str(report.cached))
    table.add_row("extractions from the cache", str(report.reused))
    table.add_row("seconds", f"{report.seconds:.1f}")
    console.print(table)
