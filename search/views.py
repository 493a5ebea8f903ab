"""The search page: `/transcripts/?q=<words>&...`. Input goes through the form; a search that
is no search (only punctuation, too long) is a 400 with the form saying why."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from followups.getbill.ids import id_is_valid
from followups.htmx import HtmxHttpRequest, page_render, vary_on_htmx
from search.forms import TranscriptSearchForm
from search.query import MAX_QUERY_LENGTH, QueryError
from search.services import transcripts_search
from transcripts import reading


@require_GET
@vary_on_htmx
def transcript_search(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not reading.may_read(user=user):
        raise PermissionDenied
    form = TranscriptSearchForm(request.GET)
    results = None
    status = 200
    if form.is_valid() and form.cleaned_data["q"]:
        try:
            results = transcripts_search(
                user=user,
                text=form.cleaned_data["q"],
                filters=form.filters(),
                page=form.cleaned_data["page"] or 1,
            )
        except QueryError as error:
            form.add_error("q", str(error))
    if form.errors:
        status = 400
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    context = {
        "form": form,
        "results": results,
        "query": query,
        # The words may have been a followup ID typed into the header's box.
        "open_followup": query if id_is_valid(query) else "",
        "page_query": _without_page(request),
    }
    return page_render(request, "search/search.html", context, status=status)


def words_search_url(user: AbstractBaseUser, text: str) -> str | None:
    """The search page for words typed in the header's box, for a user who may search."""
    if not reading.may_read(user=user):
        return None
    return f"{reverse('search:search')}?{urlencode({'q': text.strip()[:MAX_QUERY_LENGTH]})}"


def _without_page(request: HtmxHttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
