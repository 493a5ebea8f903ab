"""Starting the project in a fresh process, to see what its settings accept and refuse."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def python_run(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The project's Python run with `args` in the project's folder, its output captured."""
    return subprocess.run(  # noqa: S603 - the tests' own commands
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_django_check(**env_overrides: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check` with only `env_overrides` among the DJANGO_* and GETBILL_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GETBILL_"))}
    env.update(env_overrides)
    return python_run("manage.py", "check", env=env)
