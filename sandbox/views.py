"""HTTP face of the sandbox: GetBill's token endpoint, its external API and the media links.

Every view is reachable without signing in to the dashboard and without a CSRF token, as the
real GetBill is: the dashboard's server-side client calls them, and a browser fetches media.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

from sandbox.presign import (
    MediaError,
    byte_range_select,
    media_error_xml,
    media_object_read,
    media_request_verify,
)
from sandbox.services import (
    DEBTS_SCOPE,
    FOLLOWUPS_SCOPE,
    ApiError,
    FollowupsPage,
    RawAnswer,
    api_request_admit,
    debt_fetch,
    debt_followups_fetch,
    followup_fetch,
    followup_present,
    followups_list,
    rate_limit_headers,
)
from sandbox.state import RateLimitWindow
from sandbox.tokens import TokenRequestError, token_issue

ApiView = Callable[..., HttpResponse]


def getbill_api(*, scope: str) -> Callable[[ApiView], ApiView]:
    """Admit the call (token, quota, `scope`), answer errors in GetBill's shape, and put the
    X-RateLimit-* headers on every answer."""

    def decorator(view: ApiView) -> ApiView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
            window: RateLimitWindow | None = None
            try:
                window = api_request_admit(
                    authorization=request.headers.get("Authorization", ""),
                    remote_addr=request.META.get("REMOTE_ADDR", ""),
                    scope=scope,
                )
                response = view(request, *args, **kwargs)
            except ApiError as error:
                response = JsonResponse(error.body(), status=error.status_code)
                for name, value in error.headers.items():
                    response[name] = value
                window = error.window or window
            if window is not None:
                for name, value in rate_limit_headers(window=window).items():
                    response[name] = value
            return response

        return wrapper

    return decorator


def _raw_response(answer: RawAnswer) -> HttpResponse:
    return HttpResponse(answer.body, status=answer.status_code, content_type=answer.content_type)


def _record_response(data: dict[str, Any]) -> HttpResponse:
    """One resource in GetBill's success envelope."""
    return JsonResponse({"error": False, "message": "Success", "data": data})


def _page_response(request: HttpRequest, page: FollowupsPage | RawAnswer) -> HttpResponse:
    if isinstance(page, RawAnswer):
        return _raw_response(page)
    data = [
        followup_present(record=record, absolute_uri=request.build_absolute_uri)
        for record in page.records
    ]
    return JsonResponse({"error": False, "data": data, "pagination": page.pagination})


@login_not_required
@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    try:
        issued = token_issue(content_type=request.content_type or "", form=request.POST)
    except TokenRequestError as error:
        response = JsonResponse(
            {"error": error.error, "error_description": error.description},
            status=error.status_code,
        )
    else:
        response = JsonResponse(
            {
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            }
        )
    # RFC 6749 section 5.1: token responses must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@login_not_required
@csrf_exempt
@getbill_api(scope=FOLLOWUPS_SCOPE)
@require_GET
def followup_detail(request: HttpRequest, followup_id: str) -> HttpResponse:
    record = followup_fetch(followup_id=followup_id)
    if isinstance(record, RawAnswer):
        return _raw_response(record)
    return _record_response(
        followup_present(record=record, absolute_uri=request.build_absolute_uri)
    )


@login_not_required
@csrf_exempt
@getbill_api(scope=FOLLOWUPS_SCOPE)
@require_GET
def debt_followups(request: HttpRequest, debt_id: str) -> HttpResponse:
    return _page_response(request, debt_followups_fetch(debt_id=debt_id, query=request.GET))


@login_not_required
@csrf_exempt
@getbill_api(scope=FOLLOWUPS_SCOPE)
@require_GET
def followups_index(request: HttpRequest) -> HttpResponse:
    return _page_response(request, followups_list(query=request.GET))


@login_not_required
@csrf_exempt
@getbill_api(scope=DEBTS_SCOPE)
@require_GET
def debt_detail(request: HttpRequest, debt_id: str) -> HttpResponse:
    record = debt_fetch(debt_id=debt_id)
    return _raw_response(record) if isinstance(record, RawAnswer) else _record_response(record)


@login_not_required
@csrf_exempt
@xframe_options_exempt
@require_safe
def media(request: HttpRequest, object_key: str) -> HttpResponse:
    """A recording or letter behind a signed link, with byte ranges so players can seek."""
    now = time.time()
    try:
        expires_at = media_request_verify(path=request.path, query=request.GET, now=now)
        media = media_object_read(object_key=object_key)
        selected = byte_range_select(
            range_header=request.headers.get("Range"),
            if_range=request.headers.get("If-Range"),
            etag=media.etag,
            size=len(media.body),
        )
    except MediaError as error:
        response = HttpResponse(
            media_error_xml(error=error), status=error.status_code, content_type="application/xml"
        )
        for name, value in error.headers.items():
            response[name] = value
        return response

    size = len(media.body)
    first, last = selected if selected is not None else (0, size - 1)
    body = media.body[first : last + 1]
    response = HttpResponse(
        b"" if request.method == "HEAD" else body,
        status=200 if selected is None else 206,
        content_type=media.content_type,
    )
    response["Content-Length"] = str(len(body))
    response["Accept-Ranges"] = "bytes"
    if selected is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["ETag"] = media.etag
    response["Content-Disposition"] = f'inline; filename="{media.filename}"'
    # Never cached past the link's own expiry, and only by the browser that fetched it.
    response["Cache-Control"] = f"private, max-age={max(0, expires_at - int(now))}"
    return response
