import logging
import re

from django.apps import AppConfig

_SIGNATURE_RE = re.compile(r"(X-Amz-Signature=)[^&\s]+")


class SignedUrlRedactor(logging.Filter):
    """Keeps media-link signatures out of the development server's request log.

    The browser fetches recordings and letters from the sandbox, so `runserver` would otherwise
    log every signed link in full.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SIGNATURE_RE.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "GetBill sandbox"

    def ready(self) -> None:
        server_log = logging.getLogger("django.server")
        if not any(isinstance(f, SignedUrlRedactor) for f in server_log.filters):
            server_log.addFilter(SignedUrlRedactor())
