"""The code's boundaries: who may talk to GetBill, and what the app may import."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENT_PACKAGE = ROOT / "followups" / "getbill"
APP_MODULES = sorted((ROOT / "followups").rglob("*.py"))
# Every module of the project, tests and benchmarks included.
PROJECT_MODULES = sorted(
    path
    for folder in ("dashboard", "followups", "sandbox", "tests", "bench")
    for path in (ROOT / folder).rglob("*.py")
)
HTTP_LIBRARIES = {"httpx", "httpcore", "requests", "urllib3", "urllib.request", "http.client"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _in_client_package(path: Path) -> bool:
    return CLIENT_PACKAGE in path.parents


def _tests_the_client_package(path: Path) -> bool:
    # The client's own tests mirror its modules and read their public names.
    return ROOT / "tests" / "getbill" in path.parents or path.name.startswith("test_getbill_")


def test_the_app_has_modules_to_check():
    assert CLIENT_PACKAGE / "transport.py" in APP_MODULES
    assert ROOT / "followups" / "views.py" in APP_MODULES


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_client_package_uses_httpx(path: Path):
    used = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"httpx", "httpcore", "requests", "urllib3"}
        or name in HTTP_LIBRARIES
    }
    if path == CLIENT_PACKAGE / "transport.py":
        assert {"httpx", "httpcore"} <= used
    elif _in_client_package(path):
        assert used <= {"httpx", "httpcore"}, f"{path.name} uses another HTTP library: {used}"
    else:
        assert not used, f"{path.name} reaches the network itself: {used}"


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_never_imports_the_sandbox(path: Path):
    assert not {name for name in imported_modules(path) if name.split(".")[0] == "sandbox"}


@pytest.mark.parametrize(
    "path",
    [
        path
        for path in PROJECT_MODULES
        if not _in_client_package(path) and not _tests_the_client_package(path)
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_code_outside_the_client_imports_only_its_public_names(path: Path):
    inner = {name for name in imported_modules(path) if name.startswith("followups.getbill.")}
    assert not inner, f"{path.name} reaches inside the client package: {inner}"
