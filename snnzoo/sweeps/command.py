"""``snnzoo sweep``: the command line of sweeps (argument parsing, progress, summary table, figure)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ConfigError
from .worker import RECORD_CHOICES


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` command to the ``snnzoo`` parser."""
    parser = sub.add_parser("sweep", help="run an experiment over a grid of parameters and seeds")
    parser.add_argument("name", help="experiment name (see 'snnzoo list') or a path to a .toml file")
    parser.add_argument("--grid", action="append", metavar="PATH=V1,V2,...",
                        help="values of a dotted path, e.g. 'sources.P.rate=2,4,8 Hz' (repeat for more axes; "
                             "default: the experiment's [sweep] grid)")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE",
                        help="override a value of the experiment in every run, as 'snnzoo run --set' does "
                             "(e.g. 'duration=1 s')")
    parser.add_argument("--zip", action="store_true", help="vary all grid paths together (one axis)")
    parser.add_argument("--seeds", type=int, help="runs per grid point, seeds 0..N-1 (default: the experiment's)")
    parser.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    parser.add_argument("--threads", type=int, help="not taken: each worker runs its kernels on one thread (the "
                        "workers are the parallelism); give --workers")
    parser.add_argument("--precision", help="double (default) or single: the neuron maths in float32 "
                        "(overrides the experiment's precision)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on a dask.distributed scheduler instead")
    parser.add_argument("--record", choices=RECORD_CHOICES, help="what to keep of each run (default summary)")
    parser.add_argument("-o", "--output", required=True, help="folder to write the runs into")
    parser.add_argument("--resume", action="store_true", help="skip the runs already in the output folder")
    parser.add_argument("--no-check", action="store_true",
                        help="check no run (neither the experiment's [[sweep.expected]] nor its [[expected]] items)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run_command)


def parse_grid_option(option: str) -> tuple[str, list[Any]]:
    """``PATH=V1,V2`` as (path, values), the values read by :func:`.grid.values_of_text`."""
    from .grid import values_of_text

    if "=" not in option:
        raise ConfigError(f"--grid {option!r}: expected PATH=V1,V2,..., e.g. sources.P.rate=2,4,8 Hz")
    path, raw = (part.strip() for part in option.split("=", 1))
    if not path:
        raise ConfigError(f"--grid {option!r}: the path before '=' is empty; expected PATH=V1,V2,..., "
                          "e.g. sources.P.rate=2,4,8 Hz")
    return path, values_of_text(raw, f"--grid {path}")


def grid_options(options: list[str]) -> dict[str, list[Any]]:
    """The grid of the ``--grid`` options; a path given twice is refused (one would silently replace the other)."""
    grid: dict[str, list[Any]] = {}
    for option in options:
        path, values = parse_grid_option(option)
        if path in grid:
            raise ConfigError(f"--grid {path}: given twice; give all its values in one --grid {path}=V1,V2,...")
        if path == "seed":  # the grid's own error names sweep()'s seeds=
            raise ConfigError("--grid seed: seeds are swept with --seeds N (seeds 0..N-1), not as a grid path")
        grid[path] = values
    return grid


def run_command(args: argparse.Namespace) -> int:
    """Run the sweep, print a summary table, and draw the experiment's sweep figure if it has one (with
    ``--grid``: if one of its axes is still the figure's ``x``; else a warning says it is not drawn).
    Exit status 1 unless every run is ok and every check held."""
    from ..catalog.experiment import Experiment
    from .figure import check_sweep_figure, experiment_sweep_figure
    from .grid import make_grid
    from .sweep import sweep, sweep_options

    from ..engine.precision import checked_precision

    if args.threads is not None:
        raise ConfigError(f"--threads {args.threads}: a sweep runs each worker's kernels on one thread, since the "
                          "workers are the parallelism; give --workers N instead")
    precision = [] if args.precision is None else [f'precision="{checked_precision(args.precision)}"']
    experiment = Experiment.load(args.name, [*(args.set or []), *precision])
    if not args.grid and not experiment.spec.get("sweep", {}).get("grid"):
        raise ConfigError(f"experiment {experiment.name!r} has no [sweep] grid; give --grid PATH=V1,V2,...")
    if args.scheduler is not None and args.workers:
        raise ConfigError("--workers: a dask scheduler brings its own workers; give --workers or --scheduler")
    grid, zipped, seeds, record = sweep_options(experiment.name, experiment.spec,  # what is not given: the file's
                                                grid_options(args.grid) if args.grid else None,
                                                True if args.zip else None, args.seeds, args.record)
    _refuse_set_and_swept(args.set or [], grid, args.seeds, seeds)
    figure = experiment.spec.get("sweep", {}).get("figure")
    axes = make_grid(experiment.spec, grid, zipped, seeds).dims[:-1] if figure is not None else ()
    drawn = figure is not None and (not args.grid or figure.get("x") in axes)
    if drawn:  # a figure that cannot be drawn is refused before the runs, not after them
        check_sweep_figure(figure, axes, list(experiment.spec["populations"]))
    elif figure is not None:
        print(f"snnzoo: warning: the experiment's [sweep.figure] is not drawn: its x {figure.get('x')!r} is not "
              f"one of the --grid axes {list(axes)}", file=sys.stderr)
    result = sweep(experiment, grid, zip=zipped, seeds=seeds, executor=args.scheduler, workers=args.workers,
                   record=record, out=args.output, resume=args.resume, checks=not args.no_check,
                   progress=not args.quiet)
    summary = result.to_dataset() if isinstance(result, xr.DataTree) else result
    print(f"{experiment.name}: {summary_line(summary)}")
    for line in summary_table(summary):
        print("  " + line)
    written = [Path(args.output) / "sweep.nc"]
    if drawn:
        from ..results.plotting import save_figure

        figure_path = Path(args.output) / "sweep.png"
        save_figure(experiment_sweep_figure(summary, experiment.spec, experiment.title), figure_path)
        written.append(figure_path)
    print(f"  wrote {args.output}/runs/*.nc and " + " and ".join(map(str, written)))
    held = "check_passed" not in summary or bool((summary["check_passed"] != 0).all())  # NaN: not checked there
    return 0 if (summary["status"] == "ok").all() and held else 1


def _refuse_set_and_swept(overrides: list[str], grid: dict[str, Any], count: int | None, seeds: Any) -> None:
    """A path both set (``--set``) and swept: the grid would replace the value set in silence, as the
    sweep's seeds (``--seeds count``, or the ``[sweep]`` table's ``seeds``) replace a ``--set seed``."""
    for override in overrides:
        path = override.split("=", 1)[0].strip()
        if path in grid:
            raise ConfigError(f"--set {path}: the sweep's grid varies {path}, which would replace the value set; "
                              f"drop --set {path}, or give its values in --grid {path}=V1,V2,...")
        if path == "seed" and count is not None:
            raise ConfigError(f"--set seed: --seeds {count} sweeps seeds 0..{count - 1}, which would replace the "
                              "value set; drop --set seed to run those seeds, or --seeds to run the seed set")
        if path == "seed" and seeds is not None:
            raise ConfigError(f"--set seed: the experiment's [sweep] seeds ({seeds!r}) would replace the value set; "
                              "give the seeds to run as --set 'sweep.seeds=[S1, S2, ...]'")


def summary_line(summary: xr.Dataset) -> str:
    """``12 runs (4 x 3 seeds): 11 ok, 1 failed``."""
    status = summary["status"].values.ravel().tolist()
    counts = ", ".join(f"{status.count(s)} {s}" for s in ("ok", "failed", "lost", "interrupted") if s in status)
    return f"{len(status)} runs ({' x '.join(str(n) for n in summary['status'].shape)}): {counts}"


def summary_table(summary: xr.Dataset) -> list[str]:
    """One line per grid point: its values, runs ok, mean rate ± sd over seeds per population, checks held."""
    axes = [dim for dim in summary["status"].dims if dim != "seed"]
    lines = []
    for index in np.ndindex(tuple(summary.sizes[dim] for dim in axes)):
        point = summary.isel(dict(zip(axes, index)))
        where = "  ".join(f"{dim} = {_show(point[dim])}" for dim in axes)
        ok = int((point["status"] == "ok").sum())
        parts = [f"{where}  ok {ok}/{point.sizes['seed']}"]
        if "mean_rate" in point:
            for population in point["population"].values:
                rates = point["mean_rate"].sel(population=population).values
                if np.isfinite(rates).any():
                    parts.append(f"{population} {np.nanmean(rates):.3g} ± {np.nanstd(rates):.2g} Hz")
        if "check_passed" in point:  # checks that apply at this point (``at``), in its runs that ran
            passed = point["check_passed"].where(point["status"] == "ok")
            if np.isfinite(passed).any():
                parts.append(f"checks {int(np.nansum(passed))}/{int(np.isfinite(passed).sum())}")
            parts += _failed_checks(point, passed)[:2]
        errors = sorted({str(e) for e in point["error"].values.ravel() if str(e)})
        parts += [f"error: {error}" for error in errors[:2]]
        lines.append("  ".join(parts))
    return lines


def _failed_checks(point: xr.Dataset, passed: xr.DataArray) -> list[str]:
    """``FAILED mean_rate (population=lif) = ... ± 1 Hz: found 62, expected 63.05`` for each check that failed in
    a run of the point (``passed`` 0): the values its runs found, and the value it expected there (SI units)."""
    lines = []
    for check in point["check"].values:
        failed = (passed.sel(check=check) == 0).values
        if failed.any():
            found = point["check_value"].sel(check=check).values[failed]
            expected = np.unique(point["check_expected"].sel(check=check).values[failed]) \
                if "check_expected" in point else []  # a sweep stored before the expected values were
            shown = ", ".join(f"{value:.4g}" for value in expected if np.isfinite(value))
            lines.append(f"FAILED {check}: found {', '.join(f'{value:.4g}' for value in found)}"
                         + (f", expected {shown}" if shown else ""))
    return lines


def _show(coordinate: xr.DataArray) -> str:
    """A swept value with its unit: ``20 Hz``, ``1.5`` (no unit for dimensionless values, whose units are "1")."""
    value = coordinate.values.item()
    unit = coordinate.attrs.get("units", "")
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{shown} {unit}" if unit not in ("", "1") else shown
