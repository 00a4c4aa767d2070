#!/usr/bin/env python
"""Accuracy of single precision: every catalog experiment in double and in single precision.

    python benchmarks/precision_accuracy.py [--max-duration 2] [--only NAME,...] [--write docs/precision.md]

Runs each experiment of the catalog (``snnzoo list``) twice with the same seed, with
``precision = "double"`` and ``precision = "single"``, and compares every population's spike
counts: total spikes, the largest difference of one neuron's count, and the mean rates.
Experiments longer than ``--max-duration`` seconds (a top-level ``duration``) are shortened to it;
a sweep experiment runs its base experiment once. Prints the Markdown table; ``--write`` puts it
into the page between the ``<!-- accuracy table -->`` markers (with the command and the date).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np

MARKER = "<!-- accuracy table -->"


def shortened(experiment, max_duration: float):
    """The experiment with a top-level duration above ``max_duration`` seconds cut to it (and whether it was)."""
    from snnzoo.units import to_si

    duration = experiment.spec.get("duration")
    if duration is None or to_si(duration, "s", what="duration") <= max_duration:
        return experiment, False
    from snnzoo.catalog.experiment import Experiment

    return Experiment(experiment.name, {**experiment.spec, "duration": f"{max_duration} s"}, experiment.source), True


def run(name: str, precision: str, max_duration: float):
    """The result of experiment ``name`` in ``precision``, its duration in s, whether it was shortened, CPU seconds."""
    from snnzoo.catalog.experiment import Experiment

    experiment, cut = shortened(Experiment.load(name, [f'precision="{precision}"']), max_duration)
    began = time.process_time()
    tree = experiment.run()
    return tree, float(tree.attrs["duration"]), cut, time.process_time() - began


def compare(name: str, max_duration: float) -> list[dict]:
    """One row per population of experiment ``name`` (spike sources left out: their spikes are the
    same in both precisions): spike counts and rates in both precisions."""
    from snnzoo.catalog.experiment import Experiment

    (double, duration, cut, cpu_double), (single, _, _, cpu_single) = (run(name, p, max_duration)
                                                                       for p in ("double", "single"))
    populations = Experiment.load(name).spec["populations"]
    rows = []
    for population, node in double.children.items():
        if population not in populations:
            continue
        a, b = node["spike_count"].values.astype(np.int64), single[population]["spike_count"].values.astype(np.int64)
        rate_a, rate_b = a.mean() / duration, b.mean() / duration
        rows.append({"experiment": name, "population": population, "neurons": a.size, "duration": duration,
                     "shortened": cut, "spikes_double": int(a.sum()), "spikes_single": int(b.sum()),
                     "max_neuron_difference": int(np.abs(a - b).max()) if a.size else 0,
                     "rate_double": rate_a, "rate_single": rate_b,
                     "rate_difference": (rate_b - rate_a) / rate_a if rate_a else (0.0 if rate_b == 0 else float("inf")),
                     "cpu_double": cpu_double, "cpu_single": cpu_single})
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| experiment | population | neurons | simulated s | spikes double | spikes single | "
             "largest difference of one neuron | rate double Hz | rate single Hz | rate difference |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['experiment']} | fails in one precision: {r['error']} |||||||||")
            continue
        lines.append(f"| {r['experiment']} | {r['population']} | {r['neurons']} | "
                     f"{r['duration']:g}{' (shortened)' if r['shortened'] else ''} | {r['spikes_double']} | "
                     f"{r['spikes_single']} | {r['max_neuron_difference']} | {r['rate_double']:.4g} | "
                     f"{r['rate_single']:.4g} | {100 * r['rate_difference']:+.2f} % |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-duration", type=float, default=2.0, help="cut longer experiments to this many seconds")
    parser.add_argument("--only", default=None, help="comma-separated experiment names (default: the whole catalog)")
    parser.add_argument("--write", default=None, help="Markdown page whose accuracy table to replace")
    args = parser.parse_args(argv)

    from snnzoo.errors import SnnzooError
    from snnzoo.plugins.loader import get_registry

    names = args.only.split(",") if args.only else get_registry().names("experiment")
    rows = []
    for name in names:
        print(f"[{name}] double and single precision ...", file=sys.stderr, flush=True)
        try:
            rows += compare(name, args.max_duration)
        except SnnzooError as error:  # reported in the table, not hidden
            rows.append({"experiment": name, "error": str(error)})
    table = markdown(rows)
    print(table)
    if args.write:
        page = Path(args.write)
        before, _, rest = page.read_text().partition(MARKER)
        _, _, after = rest.partition(MARKER)
        command = " ".join(["python benchmarks/precision_accuracy.py", *(argv if argv is not None else sys.argv[1:])])
        stamp = f"Measured {datetime.date.today()} with `{command}`.\n\n"
        page.write_text(f"{before}{MARKER}\n{stamp}{table}\n{MARKER}{after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
