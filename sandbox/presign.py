"""Media links in the shape of S3 pre-signed URLs, and the checks made when one is fetched.

GetBill hands out recordings and letters as S3 pre-signed URLs that expire. The sandbox mimics
their query string (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature)
and their failures (403 with an XML body), but its signature is simpler than SigV4: an HMAC,
keyed from SECRET_KEY, over the path and those parameters. The host is deliberately left out,
so a link works on whichever address the sandbox was reached, even though it claims `host` as
a signed header.
"""

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import PurePosixPath
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.http import QueryDict
from django.utils.crypto import salted_hmac

from sandbox.data import MEDIA_DIR, MEDIA_OBJECTS
from sandbox.live import live_media_object

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_EXPIRES_SECONDS = 604_800  # S3's limit: one week
_ACCESS_KEY_ID = "ASIASANDBOXEXAMPLE7Q"
_REGION = "eu-west-3"
_SALT = "sandbox.media"
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)
_CONTENT_TYPES = {".mp3": "audio/mpeg", ".pdf": "application/pdf"}
_RANGE_RE = re.compile(r"\s*bytes\s*=\s*([0-9]*)\s*-\s*([0-9]*)\s*")


class MediaError(Exception):
    """A refused media request, answered the way S3 does: a status and an XML error."""

    def __init__(
        self,
        *,
        status_code: int,
        code: str,
        message: str,
        extra: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.headers = headers or {}


@dataclass(frozen=True)
class MediaObject:
    body: bytes
    content_type: str
    filename: str
    etag: str = field(repr=False)


def _signature(*, path: str, algorithm: str, credential: str, amz_date: str, expires: str) -> str:
    message = "\n".join((algorithm, credential, amz_date, expires, "host", path))
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()


def media_url_sign(
    *, path: str, absolute_uri: Callable[[str], str], now: float, ttl_seconds: int
) -> tuple[str, int]:
    """A signed URL for the media at `path`, and the Unix time it expires at."""
    signed_at = int(now)
    amz_date = datetime.fromtimestamp(signed_at, UTC).strftime(_AMZ_DATE_FORMAT)
    credential = f"{_ACCESS_KEY_ID}/{amz_date[:8]}/{_REGION}/s3/aws4_request"
    expires = str(ttl_seconds)
    query = urlencode(
        {
            "X-Amz-Algorithm": ALGORITHM,
            "X-Amz-Credential": credential,
            "X-Amz-Date": amz_date,
            "X-Amz-Expires": expires,
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Signature": _signature(
                path=path,
                algorithm=ALGORITHM,
                credential=credential,
                amz_date=amz_date,
                expires=expires,
            ),
        }
    )
    return absolute_uri(f"{path}?{query}"), signed_at + ttl_seconds


def _query_error(message: str) -> MediaError:
    return MediaError(status_code=400, code="AuthorizationQueryParametersError", message=message)


def media_request_verify(*, path: str, query: QueryDict, now: float) -> int:
    """Check a media request's signature and expiry; return the Unix time it expires at."""
    present = [name for name in _PARAMS if name in query]
    if not present:
        raise MediaError(status_code=403, code="AccessDenied", message="Access Denied")
    if len(present) != len(_PARAMS):
        raise _query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
            "X-Amz-Expires parameters."
        )
    algorithm, credential, amz_date, expires, signed_headers, signature = (
        query.get(name) or "" for name in _PARAMS
    )
    if algorithm != ALGORITHM:
        raise _query_error('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    try:
        signed_at = datetime.strptime(amz_date, _AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _query_error(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        ) from None
    if not re.fullmatch(r"[0-9]{1,7}", expires) or not 0 < int(expires) <= MAX_EXPIRES_SECONDS:
        raise _query_error(
            "X-Amz-Expires must be a number of seconds between 1 and 604800 (one week)."
        )
    expected = _signature(
        path=path, algorithm=algorithm, credential=credential, amz_date=amz_date, expires=expires
    )
    if signed_headers != "host" or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise MediaError(
            status_code=403,
            code="SignatureDoesNotMatch",
            message="The request signature we calculated does not match the signature you "
            "provided. Check your key and signing method.",
            extra={"AWSAccessKeyId": _ACCESS_KEY_ID},
        )
    expires_at = int(signed_at.timestamp()) + int(expires)
    if now >= expires_at:
        raise MediaError(
            status_code=403,
            code="AccessDenied",
            message="Request has expired",
            extra={
                "X-Amz-Expires": expires,
                "Expires": datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "ServerTime": datetime.fromtimestamp(int(now), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )
    return expires_at


@cache
def _file_read(filename: str) -> bytes:
    return (MEDIA_DIR / filename).read_bytes()


def media_object_read(*, object_key: str) -> MediaObject:
    filename = MEDIA_OBJECTS.get(object_key) or live_media_object(object_key=object_key)
    if filename is None:
        raise MediaError(
            status_code=404,
            code="NoSuchKey",
            message="The specified key does not exist.",
            extra={"Key": object_key},
        )
    body = _file_read(filename)
    name = PurePosixPath(object_key).name
    return MediaObject(
        body=body,
        content_type=_CONTENT_TYPES[PurePosixPath(filename).suffix],
        filename=name,
        etag=f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"',
    )


def byte_range_select(
    *, range_header: str | None, if_range: str | None, etag: str, size: int
) -> tuple[int, int] | None:
    """The inclusive byte range to send, or None for the whole body.

    One range only, as browsers ask when seeking; anything else (other units, several ranges,
    a malformed header, a stale If-Range) is ignored and the whole body sent, as RFC 9110
    allows. A well-formed range that starts past the end is refused with a 416.
    """
    if not range_header or (if_range is not None and if_range != etag):
        return None
    match = _RANGE_RE.fullmatch(range_header)
    if match is None or match.groups() == ("", ""):
        return None
    first_text, last_text = match.groups()
    unsatisfiable = MediaError(
        status_code=416,
        code="InvalidRange",
        message="The requested range is not satisfiable",
        extra={"RangeRequested": range_header, "ActualObjectSize": str(size)},
        headers={"Content-Range": f"bytes */{size}"},
    )
    if not first_text:
        suffix = int(last_text)
        if suffix == 0:
            raise unsatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None
    if first >= size:
        raise unsatisfiable
    return first, min(int(last_text), size - 1) if last_text else size - 1


def media_error_xml(*, error: MediaError) -> bytes:
    fields = {"Code": error.code, "Message": error.message, **error.extra}
    fields["RequestId"] = uuid.uuid4().hex[:16].upper()
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()
