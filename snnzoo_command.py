"""The ``snnzoo`` console script, outside the package so that it runs before ``import snnzoo``: a Ctrl-C
while Python imports snnzoo and the command's modules (about 0.3 s) ends the command quietly with status 130,
as one during the command does, not in a traceback of whatever module was being imported."""

import sys

EXIT_INTERRUPTED = 130
"""The status of an interrupted command (as :data:`snnzoo.cli.EXIT_INTERRUPTED`, which cannot be imported yet)."""


def main() -> None:
    """Import the command and run it (:func:`snnzoo.cli.entry`); a Ctrl-C that reaches here exits with 130."""
    try:
        from snnzoo.cli import entry

        entry()
    except KeyboardInterrupt:
        print("snnzoo: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
