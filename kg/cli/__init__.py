"""The ``kg`` command: a thin layer over the library.

Each subcommand lives in its own module and is a few lines over a library function. Errors a
user can fix (KGError) print one line and exit non-zero; no traceback.

Exit codes: 0 done; 1 the run failed; 2 usage error; 3 built, but some inputs were skipped.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from ..errors import KGError

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

# subcommand name -> module under kg.cli that defines a click command called ``command``
COMMANDS = {
    "build": "build",
    "eval": "eval",
    "export": "export",
    "path": "path",
    "push": "push",
    "query": "query",
    "remove": "remove",
    "serve": "serve",
    "stats": "stats",
    "validate": "validate",
    "view": "view",
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when it runs, so ``kg --help`` stays fast."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        module = COMMANDS.get(name)
        if module is None:
            return None
        return importlib.import_module(f"{__name__}.{module}").command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kg", prog_name="kg")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Turn Japanese text into a knowledge graph.

    \b
    Example:
      kg build examples/ -o output/      # graph.ttl + graph.html from the bundled examples
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main(argv=None) -> None:
    try:
        cli.main(args=argv, prog_name="kg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kg: aborted", err=True)
        sys.exit(EXIT_FAILED)
    except click.ClickException as e:
        e.show()
        sys.exit(EXIT_USAGE if isinstance(e, click.UsageError) else EXIT_FAILED)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except KGError as e:
        click.echo(f"kg: error: {e}", err=True)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        click.echo("kg: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
