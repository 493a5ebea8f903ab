"""The transcript's panel on a followup's page, beside the player, and the recording's waveform
on the player's seek bar (both registered in `followups.extensions`). Opening a call that has a
recording and no transcript asks for one."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string

from followups import extensions, presentation
from followups.getbill import Followup, GetBillId
from transcripts import reading, services
from transcripts.engine import transcripts_off_reason
from transcripts.models import Transcript

PANEL_TEMPLATE = "transcripts/_panel.html"
OFF_TEMPLATE = "transcripts/_off.html"
WAVEFORM_TEMPLATE = "transcripts/_seek_bar_waveform.html"


def page_transcript(*, request: HttpRequest, followup: Followup) -> Transcript | None:
    """The followup's transcript as the page found it, read once for the page's panels: the
    transcript's own, and the tracker results' (read only when there is a transcript). Not
    read for a followup without a player (an email, a letter), which cannot have one."""
    if not presentation.followup_has_player(followup=followup):
        return None
    return extensions.page_memo(
        request,
        f"transcripts:transcript:{followup.id}",
        lambda: services.transcript_get(followup_id=followup.id),
    )


def transcript_panel_html(request: HttpRequest, followup: Followup) -> str:
    """The panel, or "" for a user who may not listen, and for a followup with neither a
    recording nor a transcript (an email, a letter). `followup` is the one the page fetched,
    already restricted for the user (no recording link without the right to listen)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not reading.may_read(user=user):
        return ""
    transcript = page_transcript(request=request, followup=followup)
    if transcript is None and followup.audio_url:
        # Queues one when there is none yet (once, whoever opens the call first).
        transcript = services.transcript_request(followup=followup)
    if transcript is None:
        off = transcripts_off_reason() if followup.audio_url else None
        return render_to_string(OFF_TEMPLATE, {"reason": off}, request=request) if off else ""
    shown = reading.transcript_view(
        # The client checked that GetBill answered for the ID the page asked for, cleaned.
        user=user,
        followup_id=GetBillId(followup.id),
        transcript=transcript,
    )
    return render_to_string(PANEL_TEMPLATE, {"shown": shown, "on_page": True}, request=request)


def seek_bar_waveform_html(request: HttpRequest, followup: Followup) -> str:
    """The waveform behind the player's seek bar, or "" (no finished transcript, no peaks, or a
    user who may not listen: the seek bar is then the plain one)."""
    waveform = reading.transcript_waveform(
        user=request.user, transcript=page_transcript(request=request, followup=followup)
    )
    if waveform is None:
        return ""
    return render_to_string(WAVEFORM_TEMPLATE, {"waveform": waveform}, request=request)
