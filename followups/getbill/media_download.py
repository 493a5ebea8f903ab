"""Downloading one recording behind a signed link, for the server's own use (a transcript).

The browser plays recordings straight from the storage; the server fetches one only to
transcribe it, and does so here, never by handing the link to a decoder (which would follow
redirects and read without limit): only links on GETBILL_MEDIA_HOSTS, no redirects, a cap on
the size and on the time the whole download takes, and only what looks like audio. The body
goes into a file the caller owns (and deletes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import BinaryIO

import httpx

from followups.getbill.config import config_get
from followups.getbill.deadline import deadline_applied
from followups.getbill.errors import GetBillError
from followups.getbill.media_urls import media_url_allowed
from followups.getbill.transport import (
    TRANSPORT_ERRORS,
    ResponseTooLargeError,
    media_client_build,
)

logger = logging.getLogger(__name__)

# A body that starts like this is a web page, an XML error or JSON, not audio, whatever its
# Content-Type says.
_TEXT_STARTS = (b"<", b"{", b"[")
_TEXT_TYPES = ("text/", "application/xml", "application/json", "application/xhtml")


class MediaDownloadError(GetBillError):
    """A recording could not be downloaded. `transient`: the same request may work later
    (worth retrying on its own); `retryable`: asking again makes sense at all (a person's
    "Try again")."""

    status_code = 502
    title = "The recording could not be downloaded"
    audit_words = "Recording download failed"
    audit_shows_status = False
    transient = False
    retryable = False


class MediaLinkRefusedError(MediaDownloadError):
    default_message = "The recording's link points to a place the dashboard does not download from."


class MediaLinkExpiredError(MediaDownloadError):
    default_message = "The recording's link had expired or was refused by the storage."
    transient = True
    retryable = True


class MediaMissingError(MediaDownloadError):
    default_message = "The storage has no recording at the link GetBill gave."
    retryable = True


class MediaNotAudioError(MediaDownloadError):
    default_message = "The recording's link answered with a web page or an error, not audio."
    retryable = True


class MediaEmptyError(MediaDownloadError):
    default_message = "The recording is an empty file."


class MediaTooLargeError(MediaDownloadError):
    default_message = "The recording is larger than the dashboard transcribes."


class MediaUnavailableError(MediaDownloadError):
    default_message = "The recording's storage could not be reached or failed to send it."
    transient = True
    retryable = True


@dataclass(frozen=True)
class MediaDownload:
    size: int
    content_type: str


def recording_download(
    *, url: str, file: BinaryIO, max_bytes: int, seconds: float
) -> MediaDownload:
    """Write the recording at the signed `url` into `file`; MediaDownloadError subclasses for
    every failure (`file` may then hold part of it: the caller deletes it either way)."""
    if not media_url_allowed(url=url):
        raise MediaLinkRefusedError()
    config = config_get()
    timeout = httpx.Timeout(
        connect=config.connect_timeout,
        read=config.read_timeout,
        write=config.read_timeout,
        pool=config.connect_timeout,
    )
    with media_client_build(max_bytes=max_bytes) as client:
        try:
            with (
                deadline_applied(seconds=seconds),
                client.stream("GET", url, timeout=timeout) as response,
            ):
                _response_check(response)
                size = _body_write(response, file=file)
                content_type = response.headers.get("content-type", "")
        except MediaDownloadError:
            raise
        except GetBillError:
            # The deadline passed between two reads.
            raise MediaUnavailableError() from None
        except ResponseTooLargeError:
            raise MediaTooLargeError() from None
        except TRANSPORT_ERRORS as exc:
            # The signed link is in the request, never in what is logged.
            logger.warning("Recording download failed: %s", type(exc).__name__)
            raise MediaUnavailableError() from None
    if size == 0:
        raise MediaEmptyError()
    return MediaDownload(size=size, content_type=content_type)


def _response_check(response: httpx.Response) -> None:
    status = response.status_code
    if 300 <= status < 400:
        raise MediaLinkRefusedError("The recording's link redirected elsewhere.")
    if status in (401, 403):
        # S3 answers 403 (AccessDenied, "Request has expired") to a link past its expiry or
        # whose signature no longer holds: a fresh link is the cure.
        raise MediaLinkExpiredError()
    if status == 404:
        raise MediaMissingError()
    if status == 429 or status >= 500:
        raise MediaUnavailableError()
    if status != 200:
        raise MediaNotAudioError()
    content_type = response.headers.get("content-type", "").strip().lower()
    if content_type.startswith(_TEXT_TYPES) or "html" in content_type:
        raise MediaNotAudioError()


def _body_write(response: httpx.Response, *, file: BinaryIO) -> int:
    size = 0
    for chunk in response.iter_bytes():
        if size == 0 and chunk.lstrip().startswith(_TEXT_STARTS):
            raise MediaNotAudioError()
        file.write(chunk)
        size += len(chunk)
    return size
