"""Business logic of looking followups up: reading an ID out of what people paste, fetching the
followup (from the shared cache of GetBill's answers, or GetBill), and remembering what each
user looked at."""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Literal
from urllib.parse import unquote

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from dashboard.after_response import after_response
from followups import access, debts, values
from followups.errors import AppError
from followups.getbill import (
    Answer,
    AnswerMode,
    AnswerSource,
    Followup,
    GetBillId,
    InvalidIdError,
    followup_answer_get,
    getbill_id_clean,
    id_glued_character,
    id_glued_message,
    media_url_allowed,
)
from followups.models import (
    RECENT_SUMMARY_MAX_LENGTH,
    RECENT_VIEWS_KEPT,
    VALUE_MAX_LENGTH,
    AuditAction,
    AuditOutcome,
    RecentView,
)

# A followup ID in a GetBill link: the segment after `/followups/` (app pages, API URLs and this
# dashboard's own links), but not the by-debt API path, whose next segment is a debt ID.
_URL_ID = re.compile(r"/followups/(?!debt/)([^/?#\s\"'<>]+)", re.IGNORECASE)
# `?followup_id=...` / `followupId=...` in a query string.
_PARAM_ID = re.compile(r"[?&]followup_?id=([^&#\s\"'<>]+)", re.IGNORECASE)
_DEBT_URL = re.compile(r"/followups/debt/|/debts?/[^/?#\s]+/?(?:$|[?#])", re.IGNORECASE)
# A debt's ID in a pasted link: GetBill's `/debts/<id>` (app and API), the API's by-debt path
# `/followups/debt/<id>`, and this dashboard's own `/debts/<id>/followups/`. A link that goes on
# to a followup (`/debts/<id>/followups/<followup>`) is a followup's.
_DEBT_LINK_ID = re.compile(
    r"/(?:debts?|followups/debt)/([^/?#\s\"'<>]+)(?:/followups)?/?(?:[?#]|$)", re.IGNORECASE
)
_ANY_URL = re.compile(r"\S+://\S+|\bwww\.\S+")
# A stand-alone token in free text that looks like an encrypted ID: letters and digits mixed,
# which rules out words, dates, amounts and phone numbers around it.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{6,64}(?![A-Za-z0-9_-])")

ID_HELP = (
    "Paste a followup ID (like abc123def456), a GetBill link to a followup, "
    "or text that contains one."
)


def _invalid(message: str) -> InvalidIdError:
    return InvalidIdError(message)


def _looks_like_id(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def followup_id_from_text(*, text: str) -> GetBillId:
    """The followup ID in `text`: an ID on its own, a pasted link, or a sentence with one in it.

    Raises InvalidIdError with a message saying what was wrong.
    """
    stripped = text.strip()
    if not stripped:
        raise _invalid("Enter a followup ID. " + ID_HELP)
    try:
        return getbill_id_clean(raw=stripped)
    except InvalidIdError:
        pass

    for pattern in (_URL_ID, _PARAM_ID):
        match = pattern.search(stripped)
        if match:
            try:
                return getbill_id_clean(raw=unquote(match.group(1)))
            except InvalidIdError as error:
                if error.user_message != InvalidIdError.default_message:
                    raise  # it says what is wrong with the ID itself
                raise _invalid(
                    "That link does not contain a valid followup ID. " + ID_HELP
                ) from None

    if _DEBT_URL.search(stripped) and " " not in stripped:
        raise _invalid("That is a link to a debt, not to a followup. " + ID_HELP)
    # Words of a link are not IDs: only the link's own followup segment counts, checked above.
    prose = _ANY_URL.sub(" ", stripped)
    if not prose.strip():
        raise _invalid("That link does not point to a followup. " + ID_HELP)
    # A character no ID has, glued inside what reads as one: the ASCII part around it would be
    # another followup's ID, so the text is refused rather than cut.
    glued = id_glued_character(text=prose)
    if glued is not None:
        raise _invalid(id_glued_message(character=glued))
    candidates = list(dict.fromkeys(t for t in _TOKEN.findall(prose) if _looks_like_id(t)))
    if len(candidates) == 1:
        return getbill_id_clean(raw=candidates[0])
    if len(candidates) > 1:
        raise _invalid("That text contains more than one possible ID. Paste only one.")
    raise _invalid("No followup ID found in that text. " + ID_HELP)


def debt_id_from_link(*, text: str) -> GetBillId | None:
    """The debt ID of a pasted GetBill (or dashboard) link to a debt; None for anything else."""
    link = text.strip().strip("<>")
    if not link or any(char.isspace() for char in link) or "/" not in link:
        return None
    match = _DEBT_LINK_ID.search(link.split("#", 1)[0].split("?", 1)[0] + "?")
    if match is None:
        return None
    try:
        return getbill_id_clean(raw=unquote(match.group(1)), subject="debt")
    except InvalidIdError:
        return None


_RECENT_VIEW_UPDATED = [
    "followup_type",
    "followup_status",
    "followup_summary",
    "followup_at",
    "viewed_at",
]


def recent_view_record(
    *, user: AbstractBaseUser, followup_id: str, followup: Followup
) -> RecentView:
    """Remember that `user` looked at `followup`, keeping only their newest views.

    `followup_id` is the validated ID the user asked for, so links built from it always resolve.
    Type and status are kept as every page shows them ("unknown" when GetBill sent them with
    the wrong type), with the followup's own date and the start of its summary.

    A view seen before (a reload, going back, the next visit) is one UPDATE of its row. A new
    one is an upsert (INSERT ... ON CONFLICT DO UPDATE, for two tabs opening it at once) and a
    delete of all but the newest views, in one short transaction. No statement reads first and
    no transaction is held between a read and a write, so many users looking followups up at
    once only queue briefly for the database's write lock.
    """
    followup_type = values.enum_value_shown(followup=followup, field="type") or ""
    status = values.enum_value_shown(followup=followup, field="status") or ""
    moment, _ = debts.followup_moment(followup=followup)
    view = RecentView(
        user_id=user.pk,
        followup_id=followup_id,
        followup_type=followup_type[:VALUE_MAX_LENGTH],
        followup_status=status[:VALUE_MAX_LENGTH],
        followup_summary=values.summary_line(
            text=followup.summary, max_length=RECENT_SUMMARY_MAX_LENGTH
        ),
        followup_at=moment,
        viewed_at=timezone.now(),
    )
    fields = {name: getattr(view, name) for name in _RECENT_VIEW_UPDATED}
    if RecentView.objects.filter(user_id=user.pk, followup_id=followup_id).update(**fields):
        return view
    # No savepoint: outside a transaction (a request) it would be one more round trip for
    # nothing, and inside one an error is the caller's to roll back anyway.
    with transaction.atomic(savepoint=False):
        RecentView.objects.bulk_create(
            [view],
            update_conflicts=True,
            unique_fields=["user", "followup_id"],
            update_fields=_RECENT_VIEW_UPDATED,
        )
        newest = RecentView.objects.filter(user_id=user.pk).values("pk")[:RECENT_VIEWS_KEPT]
        RecentView.objects.filter(user_id=user.pk).exclude(pk__in=newest).delete()
    return view


def recent_views_list(
    *, user: AbstractBaseUser | AnonymousUser, limit: int = RECENT_VIEWS_KEPT
) -> list[RecentView]:
    if not user.is_authenticated:
        return []
    return list(RecentView.objects.filter(user_id=user.pk)[:limit])


_LINK_SIGNS = re.compile(r"[/:]")


def text_is_words(*, text: str) -> bool:
    """Whether `text` reads as words rather than an ID: no link and no word holding a digit
    ("dispute lawyer", not "fu-1042" nor a pasted link). Such text may be searched elsewhere."""
    stripped = text.strip()
    has_letters = re.search(r"[^\W\d_]", stripped) is not None
    return has_letters and not _LINK_SIGNS.search(stripped) and not re.search(r"\d", stripped)


def followup_id_from_input(*, user: AbstractBaseUser, text: str) -> GetBillId:
    """`followup_id_from_text`, with input that holds no ID audited as rejected (without the
    input, which may be a signed link)."""
    with access.failures_audited(audit=access.LookupAudit(user=user, action=AuditAction.LOOKUP)):
        return followup_id_from_text(text=text)


def _followup_fetch(
    *,
    audit: access.LookupAudit,
    followup_id: GetBillId,
    permissions: list[str],
    mode: AnswerMode,
    kept_copy_audited: bool = True,
) -> Answer[Followup]:
    # The steps every followup use case starts with: access (before the cache is read), the
    # answer (from the cache, or from GetBill against the user's limit), the audit entry of its
    # outcome and source (left to the caller for a kept copy without `kept_copy_audited`), and
    # what the user may not see taken out (after the cache).
    access.access_require(audit=audit, permissions=permissions)
    with access.failures_audited(audit=audit):
        answer = followup_answer_get(
            followup_id=followup_id,
            mode=mode,
            before_request=functools.partial(access.getbill_request_take, audit=audit),
        )
    if kept_copy_audited or answer.source is not AnswerSource.CACHE:
        audit.shown(answer=answer, debt_id=answer.value.debt_id or "")
    return dataclasses.replace(
        answer, value=access.followup_restrict(user=audit.user, followup=answer.value)
    )


def followup_lookup(
    *, user: AbstractBaseUser, followup_id: GetBillId, refresh: bool = False
) -> Answer[Followup]:
    """The followup for `user`, from the shared cache or GetBill, audited, and the view
    recorded; with `refresh`, asked of GetBill again on purpose ("Refresh from GetBill").

    The followup comes without what the user may not see (recording link, full phone number);
    the answer says where it came from (a stale copy while GetBill fails). Raises, before any
    request to GetBill, PermissionMissingError and LookupLimitError; then the client's
    GetBillError subclasses (not found, denied, upstream faults with no copy to stand in).
    """
    answer = _followup_fetch(
        audit=access.LookupAudit(user=user, action=AuditAction.LOOKUP, followup_id=followup_id),
        followup_id=followup_id,
        permissions=[access.PERM_VIEW_FOLLOWUP_DATA],
        mode=AnswerMode.REFRESH if refresh else AnswerMode.CACHED,
    )
    # The client checked that GetBill answered for the ID asked for, already cleaned. Written
    # once the page is sent: losing one is harmless, the page's audit entry is not.
    after_response(
        lambda: recent_view_record(user=user, followup_id=answer.value.id, followup=answer.value)
    )
    return answer


def followup_panels_lookup(*, user: AbstractBaseUser, followup_id: GetBillId) -> Followup:
    """The followup whose page asks for its panels (transcript, trackers, reviews) right after
    itself, for `user`, restricted like the page's.

    The page has just looked it up, audited the look and kept the answer: the kept copy needs
    no second entry for the same look. When the copy is gone (evicted, or stale by now) it is
    looked up as the page was, against the user's limit, and that look is audited. Raises like
    `followup_lookup`.
    """
    return _followup_fetch(
        audit=access.LookupAudit(user=user, action=AuditAction.LOOKUP, followup_id=followup_id),
        followup_id=followup_id,
        permissions=[access.PERM_VIEW_FOLLOWUP_DATA],
        mode=AnswerMode.CACHED,
        kept_copy_audited=False,
    ).value


def followup_recording_refresh(*, user: AbstractBaseUser, followup_id: GetBillId) -> Followup:
    """The followup fetched again for a fresh signed recording link, audited as such.

    Always asks GetBill (a kept copy would carry the link that is about to expire) and keeps
    the new answer for the next page. Renewing the link is part of listening, so it is not
    another entry in the recently viewed list. Needs the "listen" permission and counts
    against the per-user limit; raises like `followup_lookup`.
    """
    answer = _followup_fetch(
        audit=access.LookupAudit(
            user=user, action=AuditAction.RECORDING_URL_REFRESH, followup_id=followup_id
        ),
        followup_id=followup_id,
        permissions=[access.PERM_VIEW_FOLLOWUP_DATA, access.PERM_LISTEN_RECORDING],
        mode=AnswerMode.FRESH,
    )
    return answer.value


def recording_play_record(*, user: AbstractBaseUser, followup_id: GetBillId) -> None:
    """Audit that `user` started playing the followup's recording (reported by the player).

    Raises PermissionMissingError without the "listen" permission.
    """
    audit = access.LookupAudit(
        user=user, action=AuditAction.RECORDING_PLAY, followup_id=followup_id
    )
    access.access_require(
        audit=audit, permissions=[access.PERM_VIEW_FOLLOWUP_DATA, access.PERM_LISTEN_RECORDING]
    )
    audit.record(outcome=AuditOutcome.SHOWN)


class DocumentMissingError(AppError):
    """The followup has no letter PDF the dashboard may link to (none, or not on an allowed
    media host); GetBill had the followup."""

    status_code = 404
    default_message = "This followup has no PDF to open."
    title = "No PDF for this followup"
    audit_outcome = AuditOutcome.NOT_FOUND
    audit_words = "no PDF the dashboard may open"


class RecordingMissingError(AppError):
    """The followup has no recording the dashboard may link to (none, or not on an allowed
    media host); GetBill had the followup."""

    status_code = 404
    default_message = "This followup has no recording to play."
    title = "No recording for this followup"
    audit_outcome = AuditOutcome.NOT_FOUND
    audit_words = "no recording the dashboard may play"


def _media_link(
    *,
    audit: access.LookupAudit,
    followup_id: GetBillId,
    permissions: list[str],
    field: Literal["audio_url", "pdf_url"],
    missing: type[AppError],
) -> str:
    # A stable address of the dashboard stands for a signed link that expires: each request
    # takes the followup from the shared cache, whose links always have minutes left
    # (answers.py), or asks GetBill again, so the address works however long a page was open.
    access.access_require(audit=audit, permissions=permissions)
    with access.failures_audited(audit=audit):
        answer = followup_answer_get(
            followup_id=followup_id,
            before_request=functools.partial(access.getbill_request_take, audit=audit),
        )
        followup = answer.value
        url = getattr(followup, field)
        if not url or field in followup.invalid_fields or not media_url_allowed(url=url):
            raise missing()
    audit.shown(answer=answer, debt_id=followup.debt_id or "")
    return url


def followup_document_link(*, user: AbstractBaseUser, followup_id: GetBillId) -> str:
    """A freshly signed link to the followup's letter (PDF), for the dashboard to redirect to.

    The page's own link expires with the page (an hour), so the page links to the dashboard's
    address instead. The same permission as the followup's page, one audit entry; a request
    to GetBill counts against the user's share. Raises DocumentMissingError when there is no
    PDF on an allowed host, else like `followup_lookup`.
    """
    return _media_link(
        audit=access.LookupAudit(
            user=user, action=AuditAction.DOCUMENT_OPEN, followup_id=followup_id
        ),
        followup_id=followup_id,
        permissions=[access.PERM_VIEW_FOLLOWUP_DATA],
        field="pdf_url",
        missing=DocumentMissingError,
    )


def followup_recording_link(*, user: AbstractBaseUser, followup_id: GetBillId) -> str:
    """A freshly signed link to the followup's recording, for the player's stable address to
    redirect to; the player loads that address again when a link dies.

    Needs the "listen" permission; one audit entry ("recording link fetched") per link handed
    out: the browser asks once per load and then reads byte ranges from the signed link itself.
    A request to GetBill counts against the user's share. Raises RecordingMissingError when
    there is no recording on an allowed host, else like `followup_lookup`.
    """
    return _media_link(
        audit=access.LookupAudit(
            user=user, action=AuditAction.RECORDING_URL_REFRESH, followup_id=followup_id
        ),
        followup_id=followup_id,
        permissions=[access.PERM_VIEW_FOLLOWUP_DATA, access.PERM_LISTEN_RECORDING],
        field="audio_url",
        missing=RecordingMissingError,
    )
