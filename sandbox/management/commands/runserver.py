"""`runserver` that points the GetBill client at the sandbox on the port actually served,
and starts the live sandbox's calls (SANDBOX_LIVE) in the process that serves.

The dashboard reaches the sandbox over HTTP like any upstream, so the upstream URLs must name
the address runserver listens on, whatever port the developer picked; the live sandbox POSTs
its webhooks to that address too. `inner_run` runs in the serving process only (not in the
reloader's), so there is one live sandbox, and it stops with the server.
"""

from typing import Any

from django.conf import settings
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhitenoiseRunserverCommand,
)

from sandbox.live import live_sandbox_start
from sandbox.origin import sandbox_origin_set
from sandbox.services import followup_present


class Command(WhitenoiseRunserverCommand):
    def inner_run(self, *args: Any, **options: Any) -> None:
        host = f"[{self.addr}]" if self._raw_ipv6 else self.addr
        if host in ("0", "0.0.0.0"):  # noqa: S104 - listening everywhere, reach it on loopback
            host = "127.0.0.1"
        origin = f"{self.protocol}://{host}:{self.port}"
        sandbox_origin_set(origin=origin)
        self.stdout.write(
            f"GetBill sandbox: fake upstream at {settings.GETBILL_API_URL} (no real data)."
        )
        live = live_sandbox_start(
            origin=origin,
            present=lambda record: followup_present(
                record=record, absolute_uri=lambda path: origin + path
            ),
        )
        if live is not None:
            self.stdout.write(
                f"Live sandbox: a new call every {settings.SANDBOX_LIVE_SECONDS} s, its "
                f"webhooks to {live.url}."
            )
        super().inner_run(*args, **options)
