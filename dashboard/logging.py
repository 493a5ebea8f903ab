"""Keeping credentials and signed media links out of logs and error reports.

The GetBill client never logs them itself; this is the second line for everything else (a
library's debug line, an exception message, a request path in a server log): a log filter on
every handler and the exception reporter filter both run text through `secrets_redact`.
"""

import functools
import logging
import re
import threading
from collections import deque
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"

# A URL whose query carries a signature or credentials: the whole query goes, since any part of
# a pre-signed URL is enough to recognise and, with the rest, to replay it. A path alone counts
# too (the request line of a server log: `GET /media/a.mp3?X-Amz-Signature=... HTTP/1.1`).
# The base stops before any further "://": otherwise text made of many "http://" would have
# every one of them scanned to the end of the text (quadratic time on hostile input).
_SIGNED_URL = re.compile(
    r"(?P<base>(?:\b(?:https?|wss?)://|(?<![^\s\"'])/)(?:(?!://)[^\s?#\"'<>])+)"
    r"\?(?P<query>[^\s\"'<>]*)",
    re.IGNORECASE,
)
_SIGNED_QUERY_MARK = re.compile(
    r"(?:^|[&;])(?:x-amz-[a-z-]+|signature|sig|token|access_token|key|expires|awsaccesskeyid)=",
    re.IGNORECASE,
)
# Single values, wherever they stand (a path with its query, a form body, JSON, headers).
_VALUE_PATTERNS = [
    # Long enough to be a credential, so prose like "a bearer token" stays readable.
    re.compile(r"(?P<key>\bbearer\s+)(?P<value>[A-Za-z0-9._~+/=-]{12,})", re.IGNORECASE),
    re.compile(
        r"(?P<key>\b(?:x-amz-(?:signature|credential|security-token)|client_secret|access_token"
        r"|refresh_token|id_token|password)\b[\"']?\s*[=:]\s*[\"']?)(?P<value>[^\s&\"',;}]+)",
        re.IGNORECASE,
    ),
    # JWT-shaped tokens, whatever they are labelled with. One starts where a run of token
    # characters starts (not after a "-" inside one, as "\b" allowed): each run is then scanned
    # once, not once per "-" in it (quadratic time on hostile input).
    re.compile(
        r"(?P<key>)(?P<value>(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)",
    ),
]
# Shorter configured secrets would match ordinary words.
_LITERAL_SECRET_MIN_LENGTH = 8


# Access tokens in use, as literals: a token need not look like one (a bearer header, a JWT) to
# be one, and an upstream that echoes it back bare must not get it shown or logged. Only the
# newest few are kept: older ones have expired.
_LIVE_SECRETS_KEPT = 8
_live_secrets: deque[str] = deque(maxlen=_LIVE_SECRETS_KEPT)
_live_secrets_lock = threading.Lock()


def secret_literal_remember(value: str) -> None:
    """Have `secrets_redact` replace `value` wherever it appears from now on (an access token
    in use; too short a value would match ordinary words and is not kept)."""
    if len(value) < _LITERAL_SECRET_MIN_LENGTH:
        return
    with _live_secrets_lock:
        if value not in _live_secrets:
            _live_secrets.append(value)


def _signed_url_redact(match: re.Match[str]) -> str:
    if _SIGNED_QUERY_MARK.search(match.group("query")):
        return f"{match.group('base')}?{REDACTED}"
    return match.group(0)


def secrets_redact(text: str) -> str:
    """`text` with bearer tokens, the client and webhook secrets, access tokens, S3 signatures
    and credentials, and the query of signed URLs replaced by "[redacted]"."""
    # str() also resolves lazy strings, which pass for str without being one.
    text = _SIGNED_URL.sub(_signed_url_redact, str(text))
    for pattern in _VALUE_PATTERNS:
        text = pattern.sub(rf"\g<key>{REDACTED}", text)
    literals = [
        secret
        for name in ("GETBILL_CLIENT_SECRET", "GETBILL_WEBHOOK_SECRET")
        if isinstance(secret := getattr(settings, name, ""), str)
    ]
    with _live_secrets_lock:
        literals += _live_secrets
    for literal in literals:
        if len(literal) >= _LITERAL_SECRET_MIN_LENGTH:
            text = text.replace(literal, REDACTED)
    return text


def _arg_redact(value: object) -> object:
    # Numbers stay numbers so "%d" still formats; anything else is checked as the text it
    # would become, and replaced by that text only when something had to go.
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    redacted = secrets_redact(text)
    return value if redacted == text else redacted


_NAMED_FIELD = re.compile(r"%\((?P<name>[^)]*)\)")


@functools.lru_cache(maxsize=64)
def _named_fields(message: str) -> tuple[str, ...]:
    """The fields a message formats from a mapping: `%(h)s "%(r)s"` names h and r."""
    return tuple(match.group("name") for match in _NAMED_FIELD.finditer(message))


class RefusalOneLineFilter(logging.Filter):
    """A refused request (a 4xx Django logs with the exception that refused it, such as
    PermissionDenied) is one line: its traceback is the refusal's, not a fault in the code."""

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int) and 400 <= status_code < 500:
            record.exc_info, record.exc_text = None, None
        return True


class SecretsRedactFilter(logging.Filter):
    """Log filter that redacts secrets from the message, its arguments and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg
        if isinstance(message, str):
            record.msg = secrets_redact(message)
        else:
            record.msg = _arg_redact(message)
        if isinstance(record.args, dict):
            # Only the fields the message names reach the line (the JSON formatter leaves the
            # arguments out too): gunicorn's access line passes every request and response
            # header and every WSGI variable, some eighty values, and redacting all of them
            # cost over a millisecond a request. In place: gunicorn passes a dict subclass that
            # answers "-" for headers a response lacks, which a plain dict would turn into a
            # KeyError.
            names = _named_fields(message) if isinstance(message, str) else tuple(record.args)
            for key in names:
                if key in record.args:
                    record.args[key] = _arg_redact(record.args[key])
        elif isinstance(record.args, tuple):
            record.args = tuple(_arg_redact(value) for value in record.args)
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is redacted once here.
            record.exc_text = secrets_redact(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = secrets_redact(record.exc_text)
        if record.stack_info:
            record.stack_info = secrets_redact(record.stack_info)
        return True


class SecretsSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (admin e-mails, the debug page) without secrets or signed media links.

    On top of Django's defaults: settings and request headers naming credentials or
    signatures are hidden, and any value holding a signed URL or token is redacted.
    """

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|CREDENTIAL|AUTHORIZATION|HTTP_COOKIE",
        flags=re.IGNORECASE,
    )

    def is_active(self, request: HttpRequest | None) -> bool:
        # Django stops cleansing when DEBUG is on; real credentials can be configured then too.
        return True

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        return secrets_redact(cleansed) if isinstance(cleansed, str) else cleansed

    def cleanse_special_types(self, request: HttpRequest | None, value: Any) -> Any:
        value = super().cleanse_special_types(request, value)
        if isinstance(value, str):
            return secrets_redact(value)
        try:
            text = repr(value)
        except Exception:  # a broken __repr__ must not break the error report
            return value
        redacted = secrets_redact(text)
        return value if redacted == text else redacted


class SecretsSafeExceptionReporter(ExceptionReporter):
    """Error reports whose whole text is redacted: exception messages and request URLs can
    carry a signed link too, and they are not variables the filter sees."""

    # Redaction only puts "[redacted]" in place of text: the rendered report stays safe.
    def get_traceback_html(self) -> SafeString:
        return mark_safe(secrets_redact(super().get_traceback_html()))  # noqa: S308

    def get_traceback_text(self) -> SafeString:
        return mark_safe(secrets_redact(super().get_traceback_text()))  # noqa: S308


class SecretsSafeJsonFormatter(JsonFormatter):
    """One JSON object per line for log collectors (python-json-logger).

    It formats tracebacks and stacks from the record itself rather than from the text the
    redaction filter already cleaned, so it redacts them again.
    """

    def formatException(self, ei: Any) -> str:
        return secrets_redact(str(super().formatException(ei)))

    def formatStack(self, stack_info: str) -> str:
        return secrets_redact(str(super().formatStack(stack_info)))
