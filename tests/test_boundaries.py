"""The code's boundaries: who may talk to GetBill, and what the app may import."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_MODULES = sorted((ROOT / "followups").rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_app_has_modules_to_check():
    assert ROOT / "followups" / "getbill.py" in APP_MODULES


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_client_module_uses_httpx(path: Path):
    http_libraries = {"httpx", "httpcore", "requests", "urllib3", "urllib.request", "http.client"}
    used = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"httpx", "httpcore", "requests", "urllib3"}
        or name in http_libraries
    }
    if path.name == "getbill.py":
        assert "httpx" in used
    else:
        assert not used, f"{path.name} reaches the network itself: {used}"


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_never_imports_the_sandbox(path: Path):
    assert not {name for name in imported_modules(path) if name.split(".")[0] == "sandbox"}
