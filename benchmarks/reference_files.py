"""The command line and file format shared by the Brian2 reference scripts
(``brian2_language_references.py``, ``brian2_example_references.py``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

REFERENCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference")


def write_reference(path: str, payload: dict) -> None:
    """Write ``payload`` as JSON with one line per top-level key (compact, still diffable)."""
    with open(path, "w") as handle:
        handle.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in payload.items()) + "\n}\n")
    print(f"wrote {path}", file=sys.stderr)


def main(description: str, script: str, builders: dict[str, Callable], prefix: str, dt: float, argv=None) -> int:
    """Run the builders named on the command line (or ``all``) and write each one's
    ``tests/reference/brian2_<prefix><name>.json`` with Brian2's version and the command."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("name", choices=[*builders, "all"])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 6)),
                        help="Brian2 seeds for the stochastic references (default 1..5)")
    args = parser.parse_args(argv)
    import brian2

    for name in list(builders) if args.name == "all" else [args.name]:
        command = f"python benchmarks/{script} {name}" + (f" --seeds {' '.join(map(str, args.seeds))}"
                                                          if args.seeds != list(range(1, 6)) else "")
        payload = {"brian2_version": brian2.__version__, "generated_by": command, "target": "numpy", "dt": dt,
                   **builders[name](args)}
        write_reference(os.path.join(REFERENCE_DIR, f"brian2_{prefix}{name.replace('-', '_')}.json"), payload)
    return 0
