"""A backup with `manage.py dumpdata` restores with `loaddata` into a fresh database: users,
their roles' permissions, the audit trail and recent views."""

from pathlib import Path

from tests.support.processes import clean_environment, manage

_SEED = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from followups.audit import audit_record
from followups.models import AuditAction, AuditOutcome, RecentView
from django.utils import timezone
user = get_user_model().objects.create_user(username="backed-up", password="pw-backed-up-1")
user.groups.add(Group.objects.get(name="QA reviewers"))
audit_record(user=user, action=AuditAction.LOOKUP, outcome=AuditOutcome.SHOWN,
             followup_id="abc123def456")
RecentView.objects.create(user=user, followup_id="abc123def456", viewed_at=timezone.now())
"""
_REPORT = """
from django.contrib.auth import get_user_model
from followups.models import AuditEntry, RecentView
user = get_user_model().objects.get(username="backed-up")
print(sorted(user.get_all_permissions()), AuditEntry.objects.filter(user=user).count(),
      RecentView.objects.filter(user=user).count(), user.check_password("pw-backed-up-1"))
"""


def _environment(database: Path) -> dict[str, str]:
    return {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
    }


def test_dumpdata_then_loaddata_restores_everything(tmp_path: Path):
    source = _environment(tmp_path / "source.sqlite3")
    manage(source, "migrate", "--noinput", "--verbosity", "0")
    manage(source, "shell", "--no-imports", "-c", _SEED)
    before = manage(source, "shell", "--no-imports", "-c", _REPORT).splitlines()[-1]
    backup = tmp_path / "backup.json"
    manage(
        source,
        *("dumpdata", "--natural-foreign", "--natural-primary"),
        *("--exclude", "contenttypes", "--exclude", "auth.permission"),
        *("--exclude", "sessions", "--output", str(backup)),
    )

    restored = _environment(tmp_path / "restored.sqlite3")
    manage(restored, "migrate", "--noinput", "--verbosity", "0")
    manage(restored, "loaddata", str(backup))
    after = manage(restored, "shell", "--no-imports", "-c", _REPORT).splitlines()[-1]

    assert after == before
    assert "followups.listen_recording" in after
    assert after.endswith(" 1 1 True")
