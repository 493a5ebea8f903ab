"""The transcript on a page of its own (and its panel for htmx's polling), its WebVTT
download, and "Try again". Failures are raised and rendered by followups' error boundary."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from followups import access
from followups.getbill import GetBillId
from followups.htmx import HtmxHttpRequest, page_render, swaps, vary_on_htmx
from followups.models import AuditAction
from transcripts import reading, services
from transcripts.forms import TranscriptsQueueForm
from transcripts.models import Transcript
from transcripts.panels import PANEL_TEMPLATE

# The panel's own region: htmx's polling and "Try again" swap it alone.
PANEL_TARGET = "transcript"


def _followup_id_require(request: HtmxHttpRequest, raw: str, action: AuditAction) -> GetBillId:
    return access.getbill_id_require(user=access.signed_in_user(request), action=action, raw=raw)


@require_GET
@vary_on_htmx
def transcript_page(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The transcript on a page of its own, readable without JavaScript; the panel alone when
    htmx polls it while the transcript is made."""
    clean_id = _followup_id_require(request, followup_id, AuditAction.TRANSCRIPT_VIEW)
    shown = reading.transcript_view(user=access.signed_in_user(request), followup_id=clean_id)
    if swaps(request, PANEL_TARGET):
        context = {"shown": shown, "on_page": True}
        if shown.state == Transcript.Status.DONE:
            # Done while the page was open: the waveform joins the player's seek bar too.
            context["seek_bar_waveform"] = reading.transcript_waveform(
                user=access.signed_in_user(request), transcript=shown.transcript
            )
        return render(request, PANEL_TEMPLATE, context)
    if shown.transcript is None:
        raise reading.TranscriptMissingError()
    return page_render(request, "transcripts/transcript.html", {"shown": shown})


@require_GET
def transcript_vtt(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """The finished transcript as a WebVTT file to download."""
    clean_id = _followup_id_require(request, followup_id, AuditAction.TRANSCRIPT_DOWNLOAD)
    text = reading.transcript_download(user=access.signed_in_user(request), followup_id=clean_id)
    response = HttpResponse(text, content_type="text/vtt; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"followup-{clean_id}-transcript.vtt"
    )
    return response


@require_POST
@vary_on_htmx
def transcript_retry(request: HtmxHttpRequest, followup_id: str) -> HttpResponse:
    """ "Try again" on a failed transcript: the panel again (htmx), or back to the followup's
    page without JavaScript."""
    clean_id = _followup_id_require(request, followup_id, AuditAction.TRANSCRIPT_VIEW)
    shown = reading.transcript_try_again(user=access.signed_in_user(request), followup_id=clean_id)
    if swaps(request, PANEL_TARGET):
        return render(request, PANEL_TEMPLATE, {"shown": shown, "on_page": True})
    url = reverse("followups:detail", kwargs={"followup_id": clean_id})
    return HttpResponseRedirect(f"{url}#transcript", status=303)


@require_POST
def transcripts_queue(request: HtmxHttpRequest) -> HttpResponse:
    """ "Transcribe" under the followups list: the ticked calls are queued, and the list is
    shown again with what was done (htmx swaps the list's region from that answer)."""
    user = access.signed_in_user(request)
    # Refused before reading what was sent.
    services.list_queue_require(user=user)
    values = TranscriptsQueueForm(request.POST).cleaned_require()
    queued = services.transcripts_queue(user=user, followup_ids=values["followup_id"])
    level = messages.SUCCESS if queued.queued else messages.INFO
    messages.add_message(request, level, queued.message)
    return HttpResponseRedirect(values["next"], status=303)
