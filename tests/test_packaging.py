"""The builder as users install it: a wheel in a fresh virtual environment.

The wheel must carry the default theme: a site without a templates/ folder of
its own, built by the installed builder, is byte-identical to the example site
built from this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from tests.conftest import SEED_SITE, snapshot

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **EPOCH}
    environment.pop("PYTHONPATH", None)
    completed = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=environment, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def test_an_installed_wheel_builds_the_example_site_byte_identically(tmp_path: Path) -> None:
    # From a copy of what the wheel is made of: building writes into the source folder.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(SEED_SITE / name, source)
    for name in ("builder", "templates"):
        shutil.copytree(
            SEED_SITE / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, source, cwd=tmp_path)
    (wheel,) = wheels.glob("*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel, cwd=tmp_path)
    location = run(python, "-c", "import builder; print(builder.__file__)", cwd=tmp_path).stdout
    assert Path(location).is_relative_to(environment), location

    # The example site without its templates/ folder: the theme must come from the wheel.
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(SEED_SITE / "site.yaml", site)
    shutil.copytree(SEED_SITE / "content", site / "content")
    run(python, "-m", "builder", "build", "--site", site, "--out", tmp_path / "installed", cwd=site)
    run(
        sys.executable,
        "-m",
        "builder",
        "build",
        "--site",
        SEED_SITE,
        "--out",
        tmp_path / "checkout",
        "--clean",
        cwd=tmp_path,
    )
    assert snapshot(tmp_path / "installed") == snapshot(tmp_path / "checkout")
