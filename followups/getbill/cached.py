"""The lookups of `api.py` through the shared cache of answers (`answers.py`).

Each names its key: IDs, page numbers and filters only, never anything from an answer.
"""

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.core.cache import cache

from followups.getbill.answer_entries import Answer, AnswerKey, entry_read, entry_store
from followups.getbill.answers import AnswerMode, answer_get
from followups.getbill.api import (
    debt_followups_get,
    debt_get,
    debts_scope_require,
    followup_get,
    followups_list_get,
    page_check,
)
from followups.getbill.config import config_get
from followups.getbill.errors import GetBillError, UpstreamFailureError
from followups.getbill.ids import GetBillId, getbill_id_clean, id_is_valid
from followups.getbill.models import Debt, Followup, FollowupPage
from followups.getbill.parse import followup_parse
from followups.getbill.signals import followups_received_send

# What a followup sent by GetBill on its own (a webhook's `data`) must hold to stand in for
# GET /followups/{id}'s answer: an object with fewer is a partial update, not the followup.
_WHOLE_FOLLOWUP_FIELDS = ("debt_id", "status", "type")


def followup_answer_get(
    *,
    followup_id: str,
    mode: AnswerMode = AnswerMode.CACHED,
    before_request: Callable[[], None] | None = None,
) -> Answer[Followup]:
    """`followup_get` through the shared cache, kept under the followup's ID."""
    followup_id = getbill_id_clean(raw=followup_id)
    return answer_get(
        key=followup_key(followup_id=followup_id),
        fetch=lambda: followup_get(followup_id=followup_id),
        mode=mode,
        before_request=before_request,
    )


def debt_followups_answer_get(
    *,
    debt_id: str,
    page: int = 1,
    limit: int = 100,
    mode: AnswerMode = AnswerMode.CACHED,
    before_request: Callable[[], None] | None = None,
) -> Answer[FollowupPage]:
    """`debt_followups_get` through the shared cache, kept under the debt, page and size."""
    debt_id = getbill_id_clean(raw=debt_id, subject="debt")
    page_check(page=page, limit=limit)
    return answer_get(
        key=AnswerKey("debt-followups", (debt_id, page, limit)),
        fetch=lambda: debt_followups_get(debt_id=debt_id, page=page, limit=limit),
        mode=mode,
        before_request=before_request,
        subject="debt",
        related=_page_followups,
    )


def followup_key(*, followup_id: GetBillId) -> AnswerKey:
    return AnswerKey("followup", (followup_id,))


def _page_followups(page: FollowupPage) -> Iterator[tuple[AnswerKey, Followup]]:
    # GetBill's by-debt list holds the same followup objects as GET /followups/{id}, validated
    # the same way: the page's followups are kept under their own IDs too, so opening the next
    # call from the side panel asks GetBill nothing.
    for followup in page.followups:
        yield followup_key(followup_id=getbill_id_clean(raw=followup.id)), followup


def followups_list_answer_get(
    *,
    page: int,
    limit: int,
    status: str | None = None,
    type: str | None = None,
    mode: AnswerMode = AnswerMode.CACHED,
    before_request: Callable[[], None] | None = None,
) -> Answer[FollowupPage]:
    """`followups_list_get` through the shared cache, kept under the page, size and filters.

    A list page's followups are kept under their own IDs too: opening one from the list or the
    queue asks GetBill nothing.
    """
    page_check(page=page, limit=limit)
    return answer_get(
        key=AnswerKey("followups-list", (page, limit, status or "any", type or "any")),
        fetch=lambda: followups_list_get(page=page, limit=limit, status=status, type=type),
        mode=mode,
        before_request=before_request,
        related=_page_followups,
    )


def debt_answer_get(
    *,
    debt_id: str,
    mode: AnswerMode = AnswerMode.CACHED,
    before_request: Callable[[], None] | None = None,
) -> Answer[Debt]:
    """`debt_get` through the shared cache, kept under the debt's ID (`mode` KEPT: only a
    fresh kept copy, NotKeptError otherwise).

    A scope known to be missing is told first, before the cache or the user's share is
    touched: nothing would be asked of GetBill.
    """
    debt_id = getbill_id_clean(raw=debt_id, subject="debt")
    debts_scope_require(config=config_get())
    return answer_get(
        key=AnswerKey("debt", (debt_id,)),
        fetch=lambda: debt_get(debt_id=debt_id),
        mode=mode,
        before_request=before_request,
        subject="debt",
    )


# --- Told by GetBill without asking (webhooks) --------------------------------------------------


class NotWholeFollowupError(UpstreamFailureError):
    """GetBill's object does not read as a whole followup (a partial update, another shape)."""


class OlderFollowupError(GetBillError):
    """GetBill's object is older than the followup kept: told late (webhooks may come out of
    order), it would roll the followup back."""


def followup_is_older(followup: Followup, *, than: Followup) -> bool:
    """Whether `followup` is an earlier state of the followup `than`: it was not processed yet
    while `than` was, or it was processed before. GetBill's events carry no moment of their
    own; `processed_at` is the one moment a followup's states are known to move forward by."""
    if than.processed_at is None:
        return False
    return followup.processed_at is None or followup.processed_at < than.processed_at


def followup_answer_keep(*, raw: Mapping[str, Any]) -> Followup:
    """Keep GetBill's followup object `raw` (sent without being asked: a webhook's `data`) as
    the answer to GET /followups/{id}, read by the same parser, so the next look costs no
    request. Raises, keeping nothing: NotWholeFollowupError when `raw` is not a whole followup,
    OlderFollowupError when the kept answer is a later state of it.
    """
    if not isinstance(raw, Mapping) or not id_is_valid(raw.get("id")):
        raise NotWholeFollowupError()
    followup = followup_parse(data=raw)
    if followup.invalid_fields or any(
        getattr(followup, name) is None for name in _WHOLE_FOLLOWUP_FIELDS
    ):
        raise NotWholeFollowupError()
    key = followup_key(followup_id=getbill_id_clean(raw=followup.id))
    cache_key = key.cache_key(prefix=config_get().cache_prefix)
    kept = entry_read(cache_key)
    if (
        kept is not None
        and isinstance(kept.value, Followup)
        and followup_is_older(followup, than=kept.value)
    ):
        raise OlderFollowupError()
    entry_store(cache_key=cache_key, value=followup, now=time.time())
    followups_received_send(followups=[followup])
    return followup


def followup_answers_drop(*, followup_id: str) -> None:
    """Forget the kept answer about the followup, so the next look asks GetBill."""
    key = followup_key(followup_id=getbill_id_clean(raw=followup_id))
    cache.delete(key.cache_key(prefix=config_get().cache_prefix))


def debt_answers_drop(*, debt_id: str, page_size: int, pages: int, card: bool) -> None:
    """Forget the kept pages (the first `pages` of `page_size`) of the debt's followups, and
    with `card` its debt answer, so the next look asks GetBill."""
    debt_id = getbill_id_clean(raw=debt_id, subject="debt")
    prefix = config_get().cache_prefix
    keys = [
        AnswerKey("debt-followups", (debt_id, page, page_size)).cache_key(prefix=prefix)
        for page in range(1, pages + 1)
    ]
    if card:
        keys.append(AnswerKey("debt", (debt_id,)).cache_key(prefix=prefix))
    cache.delete_many(keys)
