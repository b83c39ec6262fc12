"""What the figures were measured on: CPU, cores, memory, browser and library versions."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import psutil

CHROMIUM = Path(os.environ.get("FOURMAPS_CHROMIUM", "/usr/bin/chromium"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def chromium_version() -> str:
    try:
        out = subprocess.run(
            [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    found = re.search(r"Chromium\s+([\d.]+)", out)
    return f"Chromium {found.group(1)}" if found else out.strip() or "unknown"


def describe() -> dict[str, str]:
    """The machine, one line per fact."""
    memory = psutil.virtual_memory().total / 2**30
    return {
        "cpu": cpu_model(),
        "cores": f"{psutil.cpu_count(logical=False) or '?'} physical, "
        f"{psutil.cpu_count(logical=True)} logical",
        "ram": f"{memory:.1f} GiB",
        "os": f"{platform.platform()}",
        "python": platform.python_version(),
        "browser": chromium_version(),
        "libraries": ", ".join(
            f"{name} {version(name)}"
            for name in ("dash", "plotly", "pandas", "geopandas", "sqlalchemy", "playwright")
        ),
    }


def background_cpu(seconds: float = 0.5) -> float:
    """System CPU use (percent of all cores) over ``seconds``: other work on the machine."""
    return psutil.cpu_percent(interval=seconds)


def settle(limit: float = 30.0, below: float = 25.0) -> float:
    """Wait (up to ``limit`` s) until the machine is quiet; returns the CPU use last seen.

    Browser timings on two cores move by seconds when anything else runs, so
    every sample starts on a quiet machine where it can, and records how busy
    it was where it could not.
    """
    waited = 0.0
    busy = background_cpu()
    while busy > below and waited < limit:
        busy = background_cpu(1.0)
        waited += 1.0
    return busy
