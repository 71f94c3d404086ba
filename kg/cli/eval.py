"""``kg eval``: score the pipeline against a gold dataset."""

from __future__ import annotations

from pathlib import Path

import click

from ..evaluation import DATASETS, SCORERS, evaluate
from ..store_io import atomic_write_text


@click.command("eval")
@click.argument("dataset", type=click.Choice(sorted(DATASETS)))
@click.option("--gold", "gold", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Gold file [default: $KG_SHARED_DIR/eval/... or ../shared/eval/...].")
@click.option("--split", default=None, help="Split to score (ner-wikipedia: validation or train; jacred: dev).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Score only the first N documents.")
@click.option("--only", default=None, metavar="PART,...",
              help=f"Score only these parts ({', '.join(SCORERS)}) [default: all that apply].")
@click.option("--misses", type=click.IntRange(min=0), default=0, metavar="N",
              help="List up to N misses and N false hits per part.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the full report (every miss and false hit) as JSON to this file.")
@click.option("--predictor", type=click.Choice(["kg", "ginza"]), default="kg", show_default=True,
              help="kg: the pipeline; ginza: GiNZA's raw NER through ontologies/ene-classes.tsv, for comparison.")
@click.option("--no-learned", "no_learned", is_flag=True,
              help="Score the rules alone, without the learned pair classifier (which was trained on JacRED dev).")
def command(dataset, gold, split, limit, only, misses, json_out, predictor, no_learned):
    """Score kg's entities and mentions against gold data.

    DATASET is seed (the seed article), jacred (JacRED dev) or ner-wikipedia (stockmark's
    Wikipedia NER). Prints precision, recall and F1 overall and by type.

    \b
    Examples:
      kg eval seed --misses 20
      kg eval ner-wikipedia --split validation --only mentions
      kg eval jacred --limit 50 --json jacred.json
      kg eval jacred --only relations --no-learned   # the rules alone
    """
    parts = [p.strip() for p in only.split(",") if p.strip()] if only else None
    report = evaluate(dataset, gold, split=split, limit=limit, parts=parts, predictor=predictor, learned=not no_learned)
    click.echo(report.format(misses=misses), nl=False)
    if json_out is not None:
        atomic_write_text(json_out, report.to_json())
