"""Downloading a recording for the server's own use (media_download.py): only from the media
hosts, no redirects, capped in size and time, audio only. Against loopback servers."""

import io
import socket
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from followups.getbill import (
    MediaEmptyError,
    MediaLinkExpiredError,
    MediaLinkRefusedError,
    MediaMissingError,
    MediaNotAudioError,
    MediaTooLargeError,
    MediaUnavailableError,
    recording_download,
)
from tests.support.getbill_servers import RawServer, drip

RECORDING = b"ID3\x03\x00" + bytes(range(256)) * 40


@pytest.fixture
def storage(upstream: HTTPServer, settings) -> HTTPServer:
    """The loopback server as the recordings' storage (on GETBILL_MEDIA_HOSTS)."""
    settings.GETBILL_MEDIA_HOSTS = [f"127.0.0.1:{upstream.port}"]
    return upstream


def _download(url: str, *, max_bytes: int = 1_000_000, seconds: float = 5.0) -> bytes:
    file = io.BytesIO()
    recording_download(url=url, file=file, max_bytes=max_bytes, seconds=seconds)
    return file.getvalue()


def test_a_recording_is_written_to_the_file(storage: HTTPServer):
    storage.expect_request("/rec.mp3").respond_with_data(RECORDING, content_type="audio/mpeg")

    assert _download(storage.url_for("/rec.mp3?X-Amz-Signature=abc")) == RECORDING
    request = storage.log[-1][0]
    assert "Authorization" not in request.headers


def test_a_link_off_the_media_hosts_is_never_requested(storage: HTTPServer, settings):
    settings.GETBILL_MEDIA_HOSTS = ["s3.amazonaws.com"]

    with pytest.raises(MediaLinkRefusedError):
        _download(storage.url_for("/rec.mp3"))
    assert storage.log == []


def test_redirects_are_not_followed(storage: HTTPServer):
    storage.expect_request("/rec.mp3").respond_with_response(
        Response(status=302, headers={"Location": storage.url_for("/elsewhere.mp3")})
    )
    storage.expect_request("/elsewhere.mp3").respond_with_data(RECORDING)

    with pytest.raises(MediaLinkRefusedError, match="redirected"):
        _download(storage.url_for("/rec.mp3"))
    assert [entry[0].path for entry in storage.log] == ["/rec.mp3"]


@pytest.mark.parametrize(
    ("status", "body", "content_type", "error"),
    [
        (
            403,
            b"<Error><Code>AccessDenied</Code></Error>",
            "application/xml",
            MediaLinkExpiredError,
        ),
        (404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml", MediaMissingError),
        (503, b"<Error><Code>SlowDown</Code></Error>", "application/xml", MediaUnavailableError),
        (200, b"<html><body>Sign in</body></html>", "text/html; charset=utf-8", MediaNotAudioError),
        (200, b"  <?xml version='1.0'?><Error/>", "binary/octet-stream", MediaNotAudioError),
        (200, b'{"error": "nope"}', "audio/mpeg", MediaNotAudioError),
        (200, b"", "audio/mpeg", MediaEmptyError),
    ],
)
def test_what_is_not_a_recording_says_so(storage: HTTPServer, status, body, content_type, error):
    storage.expect_request("/rec.mp3").respond_with_data(
        body, status=status, content_type=content_type
    )

    with pytest.raises(error) as raised:
        _download(storage.url_for("/rec.mp3?X-Amz-Signature=secret-signature"))
    assert "secret-signature" not in str(raised.value)


def test_a_recording_announced_past_the_cap_is_not_read(storage: HTTPServer):
    storage.expect_request("/rec.mp3").respond_with_data(RECORDING, content_type="audio/mpeg")

    with pytest.raises(MediaTooLargeError):
        _download(storage.url_for("/rec.mp3"), max_bytes=len(RECORDING) - 1)


def test_a_recording_streamed_past_the_cap_is_cut(storage: HTTPServer):
    def chunks():
        for _ in range(100):
            yield RECORDING

    storage.expect_request("/rec.mp3").respond_with_response(
        Response(chunks(), content_type="audio/mpeg")  # chunked: no Content-Length
    )

    with pytest.raises(MediaTooLargeError):
        _download(storage.url_for("/rec.mp3"), max_bytes=len(RECORDING) * 3)


def _raw_storage(settings, script) -> RawServer:
    server = RawServer(script)
    settings.GETBILL_MEDIA_HOSTS = [f"127.0.0.1:{server.port}"]
    return server


def test_a_recording_cut_off_on_the_way_is_unavailable(settings):
    def cut_off(conn: socket.socket, _index: int) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: 100000\r\n\r\n"
        conn.sendall(head + RECORDING[:1000])

    server = _raw_storage(settings, cut_off)
    try:
        with pytest.raises(MediaUnavailableError):
            _download(f"http://127.0.0.1:{server.port}/rec.mp3")
    finally:
        server.close()


def test_a_drip_fed_recording_stops_at_the_download_deadline(settings):
    settings.GETBILL_READ_TIMEOUT = 1

    def slow(conn: socket.socket, _index: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: 5000\r\n\r\n")
        drip(conn, RECORDING[:5000], every=0.05, limit=5)

    server = _raw_storage(settings, slow)
    started = time.monotonic()
    try:
        with pytest.raises(MediaUnavailableError):
            _download(f"http://127.0.0.1:{server.port}/rec.mp3", seconds=0.5)
    finally:
        server.close()
    # Bounded by the deadline, not by the five seconds the server would take.
    assert time.monotonic() - started < 4
