"""`manage.py insights_rebuild`: recompute the insights' weekly roll-up from the reviews."""

from typing import Any

from django.core.management.base import BaseCommand

from insights.rollup import rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the insights' weekly roll-up from the submitted reviews (after reviews were "
        "imported straight into the database, or DJANGO_TIME_ZONE changed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        buckets = rollup_rebuild()
        self.stdout.write(f"Insights roll-up rebuilt: {buckets} week buckets.")
