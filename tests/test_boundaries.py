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
    return ROOT / "tests" / "getbill" in path.parents


TEST_MODULES = sorted((ROOT / "tests").rglob("*.py"))
PROJECT_PACKAGES = ("dashboard", "followups", "sandbox", "tests")


def _is_private(name: str) -> bool:
    # `_meta` is Django's public model API despite its name.
    return name.startswith("_") and not name.startswith("__") and name != "_meta"


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


# The apps built on followups (reviews, and those that come after it); followups reaches them
# only through its registry (`followups.extensions`), filled in their AppConfig.ready().
APPS_ON_FOLLOWUPS = {
    path.parent.name
    for path in ROOT.glob("*/apps.py")
    if path.parent.name not in {"dashboard", "followups", "sandbox"}
}
FOLLOWUPS_TEMPLATES = sorted((ROOT / "templates" / "followups").rglob("*.html"))


def test_apps_on_followups_are_found():
    assert "reviews" in APPS_ON_FOLLOWUPS


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_followups_imports_none_of_the_apps_built_on_it(path: Path):
    reached = {name for name in imported_modules(path) if name.split(".")[0] in APPS_ON_FOLLOWUPS}
    assert not reached, f"{path.name} imports an app built on followups: {reached}"


@pytest.mark.parametrize("path", FOLLOWUPS_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_followups_templates_use_none_of_the_apps_built_on_it(path: Path):
    text = path.read_text()
    for app in APPS_ON_FOLLOWUPS:
        assert f'"{app}/' not in text, f"{path.name} includes a template of {app}"
        assert f"{{% load {app[:-1]}_tags" not in text
        assert f"{{% load {app}_tags" not in text


# The site's plumbing (middleware, health checks, logging, sessions, the outage page) serves
# every app, so it reaches the followups app only through the client's public names (media
# hosts, GETBILL_* parsers); the apps reach the project only for that plumbing.
SITE_MODULES = sorted((ROOT / "dashboard").rglob("*.py"))
PROJECT_WIDE_MODULES = {"dashboard.settings", "dashboard.urls", "dashboard.wsgi", "dashboard.asgi"}


def test_the_site_has_modules_to_check():
    assert ROOT / "dashboard" / "request_id.py" in SITE_MODULES


@pytest.mark.parametrize(
    "path",
    [path for path in SITE_MODULES if path.stem not in {"settings", "urls"}],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_site_reaches_the_followups_app_only_through_the_client(path: Path):
    reached = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in APPS_ON_FOLLOWUPS | {"followups"}
    }
    assert reached <= {"followups.getbill"}, f"{path.name} imports an app: {reached}"


@pytest.mark.parametrize(
    "path",
    sorted(
        path for app in {"followups"} | APPS_ON_FOLLOWUPS for path in (ROOT / app).rglob("*.py")
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_apps_reach_the_project_only_for_its_plumbing(path: Path):
    reached = {name for name in imported_modules(path) if name in PROJECT_WIDE_MODULES}
    assert not reached, f"{path.name} imports the project's configuration: {reached}"


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


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_module_imports_another(path: Path):
    """Shared helpers live in tests/support/; fixtures in conftest.py, found by pytest."""
    test_modules = {
        name
        for name in imported_modules(path)
        if name.startswith("tests.")
        and (name.rsplit(".", 1)[-1].startswith("test_") or name.endswith("conftest"))
    }
    assert not test_modules, f"{path.name} imports test modules: {test_modules}"


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_touches_a_private_name_of_the_project(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    project_modules = set()
    touched = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PROJECT_PACKAGES):
            touched |= {alias.name for alias in node.names if _is_private(alias.name)}
            project_modules |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            project_modules |= {
                alias.asname or alias.name.split(".")[0]
                for alias in node.names
                if alias.name.startswith(PROJECT_PACKAGES)
            }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in project_modules
        ):
            touched.add(f"{node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith(PROJECT_PACKAGES)
            and any(_is_private(part) for part in node.value.split("."))
        ):
            touched.add(node.value)
    assert not touched, f"{path.name} touches private names: {touched}"
