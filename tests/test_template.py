"""``snnzoo new-plugin``: the generated package installs, passes its own tests and runs its experiment."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from snnzoo import cli


@pytest.mark.parametrize("name", ["Izh", "2fast", "izh-2", "has space", "", "lif"])
def test_invalid_name_is_a_one_line_error_and_writes_nothing(tmp_path, capsys, name):
    assert cli.main(["new-plugin", name, "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"snnzoo: error: plugin name {name!r}: ") and "\n" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, fragment", [
    ("catalog", "the installed snnzoo already has a plugin 'catalog', so snnzoo-catalog could never load"),
    ("integrators", "the installed snnzoo already has a plugin 'integrators'"),
])
def test_a_name_an_installed_plugin_has_is_refused(tmp_path, capsys, name, fragment):
    assert cli.main(["new-plugin", name, "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"snnzoo: error: plugin name {name!r}: ") and fragment in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_name_too_long_for_the_file_system_is_one_line(tmp_path, capsys):
    assert cli.main(["new-plugin", "a" * 300, "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("snnzoo: error: new-plugin: cannot write ") and "File name too long" in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_is_refused(tmp_path, capsys):
    (tmp_path / "snnzoo-izh").mkdir()
    assert cli.main(["new-plugin", "izh", "-o", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert list((tmp_path / "snnzoo-izh").iterdir()) == []


@pytest.mark.slow
def test_generated_plugin_installs_into_a_fresh_venv_passes_its_tests_and_runs(tmp_path, capsys):
    assert cli.main(["new-plugin", "izh_demo", "-o", str(tmp_path)]) == 0
    package = tmp_path / "snnzoo-izh-demo"
    assert f"wrote {package}" in capsys.readouterr().out
    # A fresh venv that sees this one's packages (snnzoo, pytest, pip, ...) through a .pth file,
    # so that installing the plugin needs no download: --no-deps --no-build-isolation.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "_parent_env.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    env = {**os.environ, "MPLBACKEND": "Agg"}

    def run(*command: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(python), *command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        return done

    run("-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(package))
    listing = run("-m", "snnzoo.cli", "list").stdout
    assert "izh_demo_izhikevich" in listing and "izh_demo-demo" in listing and "[izh_demo]" in listing
    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")).stdout
    assert "3 passed" in tests
    ran = run("-m", "snnzoo.cli", "run", "izh_demo-demo", "-q", "-o", "demo.nc").stdout
    assert "expected: 2/2 checks hold" in ran
    assert (tmp_path / "demo.nc").stat().st_size > 0 and (tmp_path / "demo.png").stat().st_size > 0
