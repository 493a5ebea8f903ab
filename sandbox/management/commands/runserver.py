"""`runserver` that points the GetBill client at the sandbox on the port actually served.

The dashboard reaches the sandbox over HTTP like any upstream, so the upstream URLs must name
the address runserver listens on, whatever port the developer picked.
"""

from typing import Any

from django.conf import settings
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhitenoiseRunserverCommand,
)

from sandbox.origin import sandbox_origin_set


class Command(WhitenoiseRunserverCommand):
    def inner_run(self, *args: Any, **options: Any) -> None:
        host = f"[{self.addr}]" if self._raw_ipv6 else self.addr
        if host in ("0", "0.0.0.0"):  # noqa: S104 - listening everywhere, reach it on loopback
            host = "127.0.0.1"
        sandbox_origin_set(origin=f"{self.protocol}://{host}:{self.port}")
        self.stdout.write(
            f"GetBill sandbox: fake upstream at {settings.GETBILL_API_URL} (no real data)."
        )
        super().inner_run(*args, **options)
