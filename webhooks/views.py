"""`POST /webhooks/getbill/`: GetBill's deliveries, from a machine, not a signed-in user.

No session, CSRF token or sign-in (`login_not_required` also keeps it from counting as session
activity). Refusals are short plain text: the only reader is GetBill's delivery log. The body is
read up to WEBHOOK_MAX_BYTES and its signature checked before anything parses it; every validly
signed delivery is answered 200, whatever it holds (GetBill's retries are not documented, so a
refusal could lose an event), and what it held is on its WebhookDelivery row.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from dashboard.sessions import not_session_activity
from followups.browse import ListFilters
from webhooks.forms import ListNewCallsForm, NewCallsForm
from webhooks.live import list_new_calls_html, new_calls_html
from webhooks.services import signature_valid, webhook_delivery_receive

SIGNATURE_HEADER = "X-GetBill-Signature"


def _plain(text: str, *, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _body_read(request: HttpRequest, *, limit: int) -> bytes | None:
    """Up to `limit` bytes of the body; None when the body cannot be read. Django reads only as
    much as Content-Length says, so a body sent in chunks (no Content-Length) would read as
    empty and fail its signature: it is read from the server's stream when the server says that
    stream ends with the body (`wsgi.input_terminated`, as gunicorn does)."""
    if not request.META.get("CONTENT_LENGTH") and request.META.get("wsgi.input_terminated"):
        try:
            return bytes(request.META["wsgi.input"].read(limit))
        except Exception:
            # The server's own errors for a malformed chunked body (gunicorn's ParseException
            # subclasses, NoMoreData when the client stops mid-chunk): whichever, no body.
            return None
    return request.read(limit)


@csrf_exempt
@login_not_required
def getbill_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.GETBILL_WEBHOOK_SECRET
    if not secret:
        # Without a secret nothing could be trusted: the endpoint does not exist.
        raise Http404()
    if request.method != "POST":
        response = _plain("Only POST.", status=405)
        response["Allow"] = "POST"
        return response
    max_bytes = settings.WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _plain("Unreadable Content-Length.", status=400)
    if declared > max_bytes:
        # Refused on the header alone, before reading any of it.
        return _plain(f"Body over {max_bytes} bytes.", status=413)
    body = _body_read(request, limit=max_bytes + 1)
    if body is None:
        return _plain("Unreadable body.", status=400)
    if len(body) > max_bytes:
        return _plain(f"Body over {max_bytes} bytes.", status=413)
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        return _plain(f"Missing {SIGNATURE_HEADER}.", status=401)
    if not signature_valid(body=body, signature=signature, secret=secret):
        return _plain(f"{SIGNATURE_HEADER} does not match the body.", status=403)
    delivery = webhook_delivery_receive(body=body, now=timezone.now())
    return _plain("Received." if delivery is not None else "Received before.", status=200)


@require_GET
@never_cache
@not_session_activity
def new_calls(request: HttpRequest) -> HttpResponse:
    """The open queue's poll: the calls that came in since `?since=` (webhooks.live)."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    since = NewCallsForm(request.GET).cleaned_require()["since"]
    html = new_calls_html(request=request, user=request.user, since=since)
    if not html:
        raise PermissionDenied
    return HttpResponse(html)


@require_GET
@never_cache
@not_session_activity
def list_new_calls(request: HttpRequest) -> HttpResponse:
    """The open followups list's poll: the calls of its filters that came in since `?since=`."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    values = ListNewCallsForm(request.GET).cleaned_require()
    filters = ListFilters(type=values["type"] or None, status=values["status"] or None)
    html = list_new_calls_html(
        request=request, user=request.user, since=values["since"], filters=filters
    )
    if not html:
        raise PermissionDenied
    return HttpResponse(html)
