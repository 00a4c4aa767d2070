"""What every port here shares: where to write, and writing the result and a figure."""

from __future__ import annotations

import sys
from pathlib import Path

from snnzoo.results.plotting import save_figure
from snnzoo.results.tree import write_netcdf


def output_folder() -> Path:
    """The folder given as the first command-line argument, or the current one."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    return out


def save(tree, figure, out: Path, name: str) -> None:
    """Write ``name.nc`` and ``name.png`` into ``out``."""
    write_netcdf(tree, out / f"{name}.nc")
    save_figure(figure, out / f"{name}.png")
