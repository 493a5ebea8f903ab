"""The sandbox's data set: made-up followups that look and behave like GetBill's.

Deterministic in shape: the same IDs, debts, statuses, texts and media on every run. Times are
relative to when the process started (days back, at fixed clock times), so the run command
always shows recent activity; tests compare shapes and order, never absolute times.

`SANDBOX_FOLLOWUPS` holds the records in the API's shape, newest first, with `audio_url` and
`pdf_url` null: the API fills them with freshly signed URLs from `FOLLOWUP_MEDIA`. A record
whose optional keys are missing really lacks them, as some GetBill payloads do.

Every person, company, address and phone number is fictitious; phone numbers come from the
ranges regulators reserve for fiction.
"""

import base64
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

# GetBill's documented enums (get-followup-page.txt), as the client knows them; the data set
# also holds values beyond them, as a newer upstream would send.
from followups.getbill import FOLLOWUP_STATUSES, FOLLOWUP_TYPES

MEDIA_DIR = Path(__file__).resolve().parent / "media"
# The call recordings' scripts and lengths, written by media/make_calls.py.
CALLS_FILE = MEDIA_DIR / "calls.json"


@dataclass(frozen=True)
class ScriptLine:
    speaker: str  # narrator, agent or debtor
    text: str


@dataclass(frozen=True)
class Recording:
    """A call recording in MEDIA_DIR, with what is said in it."""

    file: str
    language: str
    channels: int
    duration_ms: int
    says_recorded: bool  # whether the agent says that the call is recorded
    lines: tuple[ScriptLine, ...]  # the spoken lines, in order (tones left out)


def _recordings_load() -> dict[str, Recording]:
    calls = json.loads(CALLS_FILE.read_text(encoding="utf-8"))["calls"]
    return {
        call["file"]: Recording(
            file=call["file"],
            language=call["language"],
            channels=call["channels"],
            duration_ms=call["duration_ms"],
            says_recorded=call["says_recorded"],
            lines=tuple(
                ScriptLine(speaker=line["speaker"], text=line["text"])
                for line in call["lines"]
                if "text" in line
            ),
        )
        for call in calls
    }


# file name -> recording
RECORDINGS: dict[str, Recording] = _recordings_load()


# IDs that make the sandbox misbehave on purpose, so every error page can be seen by typing an
# ID (they work on the followup and on the by-debt endpoint).
FAULT_IDS = {
    "forbidden": "fault-403",
    "not_found": "fault-404",
    "rate_limited": "fault-429",
    "server_error": "fault-500",
    "bad_gateway_html": "fault-502",
    "malformed_json": "fault-malformed-json",
    "slow": "fault-slow",
    "wrong_id": "fault-wrong-id",
    "wrong_types": "fault-wrong-types",
}

_STARTED = datetime.now(UTC).replace(second=0, microsecond=0)
_TODAY = _STARTED.replace(hour=0, minute=0)
# Midnight (UTC) of the day the process started, which every relative date counts from.
TODAY = _TODAY

# Caller IDs of the collection agency's lines (fiction ranges: ARCEP 01 99 00, Ofcom 020 7946 0,
# Berlin 030 23125).
_LINE_FR = "+33199004127"
_LINE_UK = "+442079460318"
_LINE_DE = "+493023125402"


def encrypted_id(*, label: str, length: int) -> str:
    """An opaque, URL-safe ID like GetBill's encrypted ones, stable for a given label."""
    digest = hashlib.sha256(f"getbill-sandbox/{label}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:length]


def _call_id(*, label: str) -> str:
    return "call_" + hashlib.sha256(f"call/{label}".encode()).hexdigest()[:24]


def _day(days_ago: int, at: str) -> datetime:
    """`at` (HH:MM, UTC) on the day `days_ago` days before today; negative for the future."""
    return datetime.combine(
        (_TODAY - timedelta(days=days_ago)).date(), time.fromisoformat(at), tzinfo=UTC
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


SANDBOX_FOLLOWUPS: list[dict[str, Any]] = []
# followup id -> {"audio_url" | "pdf_url": media object key}
FOLLOWUP_MEDIA: dict[str, dict[str, str]] = {}
# media object key (the path under /sandbox/media/) -> file in MEDIA_DIR
MEDIA_OBJECTS: dict[str, str] = {}
# debt id -> debtor, for people reading the data; the debts themselves (amounts, creditors,
# plans) are in sandbox/debt_data.py, written to agree with the notes below.
SANDBOX_DEBTS: dict[str, str] = {}
# the label each debt is written under below -> its ID
DEBT_IDS: dict[str, str] = {}
EXAMPLES: dict[str, str] = {}


def _debt(label: str, debtor: str) -> str:
    debt_id = encrypted_id(label=f"debt/{label}", length=24)
    SANDBOX_DEBTS[debt_id] = debtor
    DEBT_IDS[label] = debt_id
    return debt_id


def _recording_attach(followup_id: str, *, call_id: str, recording: str) -> int:
    """Serve `recording` as the followup's audio; return its length, the call's duration."""
    key = f"recordings/{call_id}.mp3"
    MEDIA_OBJECTS[key] = recording
    FOLLOWUP_MEDIA[followup_id] = {"audio_url": key}
    return RECORDINGS[recording].duration_ms


def _add(
    label: str,
    *,
    debt: str,
    type: str,
    status: str,
    executed: datetime | None = None,
    scheduled: datetime | None = None,
    summary: str | None = None,
    notes: str | None = None,
    line: str | None = None,
    direction: str | None = None,
    duration_ms: int | None = None,
    disconnection_reason: str | None = None,
    recording: str | None = None,
    letter: str | None = None,
    is_retry: bool = False,
    triggered_payment: bool = False,
    opens: int = 0,
    first_open_after: timedelta | None = None,
    clicks: int = 0,
    example: str | None = None,
) -> str:
    followup_id = encrypted_id(label=f"followup/{label}", length=26)
    voice = type in ("call", "manual_call", "voicemail") or direction is not None
    call_id = _call_id(label=label) if voice and executed is not None else None
    if recording is not None:
        assert call_id is not None, label
        duration_ms = _recording_attach(followup_id, call_id=call_id, recording=recording)
    processed = None
    if executed is not None and status not in ("in_progress", "scheduled", "on_hold"):
        processed = executed + timedelta(milliseconds=duration_ms or 0, seconds=40 + len(label))
    first_opened = None
    if opens and executed is not None:
        first_opened = executed + (first_open_after or timedelta(hours=2))
    if letter is not None:
        key = f"letters/{followup_id}.pdf"
        MEDIA_OBJECTS[key] = letter
        FOLLOWUP_MEDIA[followup_id] = {"pdf_url": key}
    SANDBOX_FOLLOWUPS.append(
        {
            "id": followup_id,
            "debt_id": debt,
            "status": status,
            "type": type,
            "call_date": _iso(executed),
            "scheduled_at": _iso(scheduled),
            "summary": summary,
            "notes": notes,
            "call_id": call_id,
            "audio_url": None,
            "pdf_url": None,
            "duration_ms": duration_ms,
            "disconnection_reason": disconnection_reason,
            "direction": direction if direction is not None else ("outbound" if voice else None),
            "phone_number_used": line if (voice or type in ("sms", "whatsapp")) else None,
            "is_retry": is_retry,
            "processed_at": _iso(processed),
            "triggered_payment": triggered_payment,
            "email_opened": opens > 0,
            "email_open_count": opens,
            "email_first_opened_at": _iso(first_opened),
            "email_clicked": clicks > 0,
            "email_click_count": clicks,
        }
    )
    if example is not None:
        EXAMPLES[example] = followup_id
    return followup_id


def _drop_keys(followup_id: str, *, keep: tuple[str, ...]) -> None:
    """Remove every key but `keep`, as some GetBill payloads omit fields altogether."""
    record = next(r for r in SANDBOX_FOLLOWUPS if r["id"] == followup_id)
    for key in [k for k in record if k not in keep]:
        del record[key]


# The records below read best one per line or two, as a table would.
# fmt: off

# --- Amélie Dubois: reminders, two missed calls, then a payment plan agreed on the phone ----
_dubois = _debt("dubois", "Amélie Dubois")
EXAMPLES["debt_with_history"] = _dubois
_add("dubois-1", debt=_dubois, type="email", status="read", executed=_day(24, "08:30"),
     scheduled=_day(24, "08:30"), summary="First reminder: electricity invoice overdue",
     notes="Automatic reminder for the overdue balance of €482.60, with a payment link.",
     opens=3, first_open_after=timedelta(hours=5, minutes=12), clicks=1)
_add("dubois-2", debt=_dubois, type="sms", status="delivered", executed=_day(20, "10:30"),
     scheduled=_day(20, "10:30"), line=_LINE_FR,
     summary="SMS reminder with payment link",
     notes="Bonjour Mme Dubois, votre facture Northwind Energy de 482,60 € reste impayée. "
     "Réglez-la ici : https://pay.example.invalid/n/7342")
_add("dubois-3", debt=_dubois, type="call", status="no_answer", executed=_day(17, "11:05"),
     scheduled=_day(17, "11:00"), line=_LINE_FR, duration_ms=31_000,
     disconnection_reason="dial_no_answer", summary="No answer after six rings")
_add("dubois-4", debt=_dubois, type="call", status="no_answer", executed=_day(16, "17:42"),
     scheduled=_day(16, "17:40"), line=_LINE_FR, duration_ms=24_500,
     disconnection_reason="dial_no_answer", is_retry=True,
     summary="Retry in the evening: still no answer")
_add("dubois-5", debt=_dubois, type="call", status="deal_found", executed=_day(15, "12:16"),
     scheduled=_day(15, "12:15"), line=_LINE_FR, recording="collection-call.mp3",
     disconnection_reason="completed_successfully", is_retry=True, triggered_payment=True,
     summary="Reached Ms Dubois: three-month payment plan agreed",
     notes="Reached Amélie Dubois on the third attempt. She lost working hours this spring and "
     "cannot pay €482.60 at once. Agreed three monthly payments (€160.87, €160.87, €160.86) "
     "from the 1st of next month. Payment link sent by email right after the call; first "
     "instalment paid the same evening.",
     example="call_deal_found")
_add("dubois-6", debt=_dubois, type="email", status="read", executed=_day(15, "12:24"),
     scheduled=_day(15, "12:24"), summary="Payment plan confirmation with payment link",
     notes="Plan: three payments of €160.87 (the last €160.86). Link valid until the first "
     "due date.",
     opens=2, first_open_after=timedelta(minutes=47), clicks=2, triggered_payment=True)
_add("dubois-7", debt=_dubois, type="postmail", status="delivered", executed=_day(14, "09:00"),
     scheduled=_day(14, "09:00"), letter="letter-payment-plan.pdf",
     summary="Payment plan confirmation letter",
     notes="Registered letter confirming the plan; signed for at delivery.")
_add("dubois-8", debt=_dubois, type="email", status="scheduled", scheduled=_day(-12, "08:00"),
     summary="Reminder before the second instalment")

# --- Jürgen Müller (B2B): ignored emails, a disputed invoice, a formal notice ----------------
_mueller = _debt("mueller", "Jürgen Müller (Müller & Söhne Haustechnik GmbH)")
_add("mueller-1", debt=_mueller, type="email", status="delivered", executed=_day(30, "07:45"),
     scheduled=_day(30, "07:45"), summary="First reminder: invoice NW-08817 overdue",
     notes="Sent to buchhaltung@mueller-soehne.example; no open tracked.",
     example="email_no_opens")
_add("mueller-2", debt=_mueller, type="email", status="delivered", executed=_day(23, "07:45"),
     scheduled=_day(23, "07:45"), is_retry=True, summary="Reminder resent to a second address",
     notes="Resent to j.mueller@mueller-soehne.example after the first address stayed silent.")
_add("mueller-3", debt=_mueller, type="call", status="failed", executed=_day(21, "09:30"),
     scheduled=_day(21, "09:30"), line=_LINE_DE, duration_ms=0,
     disconnection_reason="dial_failed", summary="Number unreachable",
     notes="Carrier answered 'Kein Anschluss unter dieser Nummer'. Office number probably "
     "changed; the landline from the invoice header used instead next time.")
_add("mueller-4", debt=_mueller, type="manual_call", status="deal_not_found",
     executed=_day(19, "14:05"), scheduled=_day(19, "14:00"), line=_LINE_DE,
     recording="call-mueller-dispute.mp3", disconnection_reason="agent_hangup",
     summary="Invoice disputed: maintenance visit said to be incomplete",
     notes="Spoke with Frau Weiß (accounting). Mr Müller disputes NW-08817 (€2,318.40): the "
     "boiler service was left unfinished and the promised second visit never happened. Asked for "
     "the technician's report before any payment. Report requested from the client.")
_add("mueller-5", debt=_mueller, type="postmail", status="sent", executed=_day(12, "10:00"),
     scheduled=_day(12, "10:00"), letter="letter-formal-notice.pdf",
     summary="Formal notice sent by registered mail",
     notes="Sent once the technician's report confirmed the second visit took place. Payment "
     "due within 14 days of this letter.",
     example="postmail_pdf")
_add("mueller-6", debt=_mueller, type="call", status="scheduled", scheduled=_day(-3, "09:30"),
     line=_LINE_DE, summary="Call back after the formal notice deadline")

# --- Zofia Wąsowska: WhatsApp reminders, then she calls in and pays -------------------------
_wasowska = _debt("wasowska", "Zofia Wąsowska")
_add("wasowska-1", debt=_wasowska, type="whatsapp", status="read", executed=_day(11, "16:10"),
     scheduled=_day(11, "16:10"), line=_LINE_UK, summary="WhatsApp reminder read",
     notes="Template 'overdue_reminder_en' read at 16:42; no reply.")
_add("wasowska-2", debt=_wasowska, type="whatsapp", status="delivered",
     executed=_day(9, "16:10"), scheduled=_day(9, "16:10"), line=_LINE_UK, is_retry=True,
     summary="Second WhatsApp reminder delivered")
_add("wasowska-3", debt=_wasowska, type="call", status="deal_found", executed=_day(8, "08:52"),
     direction="inbound", line=_LINE_UK, recording="call-wasowska-inbound-two-channel.mp3",
     disconnection_reason="user_hangup", triggered_payment=True,
     summary="Debtor called back and paid in full by card",
     notes="Ms Wąsowska called the number from the WhatsApp message. Confirmed identity, paid "
     "£112.40 (€129.99) by card during the call. Asked for a receipt by email.",
     example="inbound_call")
_add("wasowska-4", debt=_wasowska, type="email", status="read", executed=_day(8, "09:01"),
     scheduled=_day(8, "09:01"), summary="Payment receipt",
     opens=1, first_open_after=timedelta(minutes=3))
_add("wasowska-5", debt=_wasowska, type="sms", status="cancelled", scheduled=_day(7, "10:00"),
     summary="Reminder cancelled: debt paid")

# --- Łukasz Brzęczyszczykiewicz: an abusive call stops the sequence -------------------------
_brzeczy = _debt("brzeczyszczykiewicz", "Łukasz Brzęczyszczykiewicz")
_add("brzeczy-0", debt=_brzeczy, type="email", status="delivered", executed=_day(20, "08:10"),
     scheduled=_day(20, "08:10"), summary="First reminder", opens=1,
     first_open_after=timedelta(days=2, hours=1))
_add("brzeczy-1", debt=_brzeczy, type="call", status="bad_behavior", executed=_day(13, "15:20"),
     scheduled=_day(13, "15:20"), line=_LINE_UK,
     recording="call-brzeczyszczykiewicz-angry.mp3", disconnection_reason="user_hangup",
     summary="Debtor abusive; call ended by debtor",
     notes="Łukasz Brzęczyszczykiewicz shouted and insulted the agent as soon as the debt was "
     "mentioned, said he was bankrupt and that his lawyer would answer, then hung up. No "
     "threat against staff. Automated sequence stopped; file flagged for a supervisor.")
_add("brzeczy-2", debt=_brzeczy, type="sms", status="cancelled", scheduled=_day(12, "10:00"),
     line=_LINE_UK, summary="SMS sequence cancelled after the abusive call")
_add("brzeczy-3", debt=_brzeczy, type="email", status="sent", executed=_day(6, "09:15"),
     scheduled=_day(6, "09:15"), summary="Written summary of the options to settle",
     notes="Supervisor-approved email listing payment options and the hardship contact.")
_add("brzeczy-4", debt=_brzeczy, type="physical", status="on_hold",
     scheduled=_day(-9, "10:00"), summary="Field visit on hold pending supervisor review")

# --- François-Xavier Lefèvre: opens every email, never pays -------------------------------
_lefevre_fx = _debt("lefevre-fx", "François-Xavier Lefèvre")
_add("fx-1", debt=_lefevre_fx, type="email", status="read", executed=_day(27, "08:00"),
     scheduled=_day(27, "08:00"), summary="Reminder email opened many times, no payment",
     notes="Opened on phone and desktop over several days; clicked the payment link six times "
     "without completing a payment.",
     opens=17, first_open_after=timedelta(minutes=12), clicks=6, example="email_many_opens")
_add("fx-2", debt=_lefevre_fx, type="sms", status="failed", executed=_day(22, "11:00"),
     scheduled=_day(22, "11:00"), line=_LINE_FR,
     summary="SMS not delivered: number is a landline")
_add("fx-3", debt=_lefevre_fx, type="voicemail", status="delivered", executed=_day(18, "18:03"),
     scheduled=_day(18, "18:00"), line=_LINE_FR, recording="appel-lefevre-messagerie.mp3",
     disconnection_reason="voicemail_reached", summary="Voicemail left asking for a callback")
_add("fx-4", debt=_lefevre_fx, type="call", status="deal_not_found", executed=_day(10, "13:34"),
     scheduled=_day(10, "13:30"), line=_LINE_FR, recording="appel-lefevre-contestation.mp3",
     disconnection_reason="user_hangup", summary="Disputes the amount; says contract cancelled",
     notes="M. Lefèvre says he cancelled the gym contract in January by registered letter and "
     "owes nothing after that. Has no copy of the letter; will take a lawyer if collection "
     "goes on. Asked the client for the cancellation records; collection paused meanwhile.")
_add("fx-5", debt=_lefevre_fx, type="email", status="delivered", executed=_day(9, "08:00"),
     scheduled=_day(9, "08:00"), summary="Request for proof of cancellation",
     opens=1, first_open_after=timedelta(days=1, hours=3))

# --- Małgorzata Kołodziejczyk: a reply full of markup -------------------------------------
_kolodziej = _debt("kolodziejczyk", "Małgorzata Kołodziejczyk")
_add("kolodziej-1", debt=_kolodziej, type="email", status="read", executed=_day(7, "08:20"),
     scheduled=_day(7, "08:20"),
     summary='<b>Debtor claims</b> already paid — "see attachment" & </td></tr>',
     notes="Debtor replied to the reminder. Reply pasted below as received:\n"
     "<div><b>STOP</b> contacting me. I paid this in <i>March</i>!</div>\n"
     '<script>alert("xss")</script>\n'
     '<img src=x onerror="alert(document.cookie)">\n'
     '<a href="javascript:alert(1)">proof of payment</a>\n'
     "{{ request.user.password }} {% csrf_token %} ${7*7} <!-- end -->",
     opens=2, first_open_after=timedelta(minutes=9), example="hostile_notes")
_add("kolodziej-2", debt=_kolodziej, type="call", status="deal_not_found",
     executed=_day(5, "10:12"), scheduled=_day(5, "10:10"), line=_LINE_UK,
     recording="call-kolodziejczyk-paid-already.mp3", disconnection_reason="agent_hangup",
     summary="Payment claimed in March; no proof yet",
     notes="Says she paid by bank transfer in March. Asked for the transfer reference; she "
     "will send a bank statement. Collection paused until it arrives.")
_add("kolodziej-3", debt=_kolodziej, type="sms", status="delivered", executed=_day(5, "10:20"),
     scheduled=_day(5, "10:20"), line=_LINE_UK,
     summary="Address to send the bank statement to")

_add("kolodziej-4", debt=_kolodziej, type="email", status="delivered", executed=_day(3, "08:00"),
     scheduled=_day(3, "08:00"), summary="Reminder: bank statement still awaited")

# --- Hélène Garçon: a long call and a paused sequence -------------------------------------
_garcon = _debt("garcon", "Hélène Garçon")
_LONG_NOTES = "\n\n".join(
    [
        "Call with Ms Garçon, who answered on the second attempt of the day. Identity checked "
        "(date of birth and postcode). She was calm and cooperative throughout.",
        "Situation: she was made redundant at the end of last quarter and receives "
        "unemployment benefit since. Two other creditors (a telecom operator and a consumer "
        "credit) are also asking for payment. She has contacted a debt advice service and has "
        "an appointment in three weeks; she asked us not to take any step before then.",
        "What was agreed:\n"
        "- a symbolic payment of €30 today, made by card during the call;\n"
        "- no call, SMS or letter for 30 days (sequence put on hold);\n"
        "- she sends the debt adviser's contact details by email so that a plan can be "
        "discussed with them;\n"
        "- a new call is booked after the appointment to agree monthly instalments.",
        "Remaining balance after today's payment: €1,185.20. She understands that late fees "
        "are frozen during the pause but not waived. She asked whether the debt could be "
        "reduced; told her that only the client can decide that and that the request will be "
        "passed on with the adviser's assessment.",
        "Tone: very anxious about the total of her debts; reassured her that the pause is "
        "confirmed in writing. Follow-up letter to be sent by email today. "
        "No vulnerability flag beyond the financial hardship; hardship code H2 recorded.",
        "Next steps for the team: check in 30 days whether the adviser's details have arrived; "
        "if not, send one email reminder before calling. No SMS on this file, at her request. "
        "If she mentions the other creditors again, remind her that we cannot discuss their "
        "claims. Card payment reference for today's €30: CB-2291-0457.",
    ]
)
_add("garcon-1", debt=_garcon, type="manual_call", status="deal_found",
     executed=_day(4, "11:47"), scheduled=_day(4, "11:45"), line=_LINE_FR,
     duration_ms=1_312_000, disconnection_reason="agent_hangup", triggered_payment=True,
     summary="Hardship: €30 paid, sequence paused 30 days", notes=_LONG_NOTES,
     example="long_notes")
_add("garcon-2", debt=_garcon, type="email", status="read", executed=_day(4, "12:30"),
     scheduled=_day(4, "12:30"), summary="Written confirmation of the 30-day pause",
     opens=3, first_open_after=timedelta(minutes=20))
_add("garcon-3", debt=_garcon, type="email", status="on_hold", scheduled=_day(-26, "08:00"),
     summary="Reminder paused during hardship review")
_add("garcon-4", debt=_garcon, type="call", status="on_hold", scheduled=_day(-27, "10:00"),
     line=_LINE_FR, summary="Call after the debt advice appointment")

# --- Björn Weiß: values this dashboard has never seen, and a call under way ----------------
_weiss = _debt("weiss", "Björn Weiß")
_add("weiss-0", debt=_weiss, type="sms", status="delivered", executed=_day(10, "09:40"),
     scheduled=_day(10, "09:40"), line=_LINE_DE,
     summary="Last reminder before the legal handover")
_add("weiss-1", debt=_weiss, type="carrier_pigeon", status="escalated_legal",
     executed=_day(3, "09:00"), scheduled=_day(3, "09:00"), line=_LINE_DE,
     direction="transfer", duration_ms=61_000, disconnection_reason="voicemail_detected",
     summary="Handed over to the legal partner",
     notes="Status, type, direction and disconnection reason here are newer than the "
     "documented enums.", example="unknown_enums")
_add("weiss-2", debt=_weiss, type="email", status="failed", executed=_day(2, "08:00"),
     scheduled=_day(2, "08:00"), summary="Hard bounce: mailbox does not exist",
     notes="550 5.1.1 <bjoern.weiss@example.invalid>: Recipient address rejected")
_add("weiss-3", debt=_weiss, type="call", status="in_progress",
     executed=_STARTED - timedelta(minutes=3), scheduled=_STARTED - timedelta(minutes=4),
     line=_LINE_DE, summary="Call in progress")

# --- Dorota Wójcik: payloads with fields left out ---------------------------------------------
_wojcik = _debt("wojcik", "Dorota Wójcik")
_add("wojcik-1", debt=_wojcik, type="sms", status="sent", example="missing_optional")
_drop_keys(EXAMPLES["missing_optional"], keep=("id", "debt_id", "status", "type"))
_add("wojcik-2", debt=_wojcik, type="call", status="no_answer", executed=_day(6, "14:00"),
     scheduled=_day(6, "14:00"), line=_LINE_UK, recording="call-wojcik-voicemail.mp3",
     disconnection_reason="voicemail_reached", summary="No answer: message left on voicemail")
# Shaped like the documented create/update responses, which lack the email fields.
_drop_keys(
    SANDBOX_FOLLOWUPS[-1]["id"],
    keep=("id", "debt_id", "status", "type", "call_date", "scheduled_at", "summary", "notes",
          "call_id", "audio_url", "pdf_url", "duration_ms", "disconnection_reason",
          "direction", "phone_number_used", "is_retry", "processed_at"),
)
_add("wojcik-3", debt=_wojcik, type="whatsapp", status="delivered", executed=_day(5, "09:00"),
     scheduled=_day(5, "09:00"), line=_LINE_UK, summary="Reminder delivered on WhatsApp")

# --- Anaïs Moreau-Blanchard: three retries before an agreement ------------------------------
_moreau = _debt("moreau", "Anaïs Moreau-Blanchard")
for _n, (_days, _at) in enumerate([(13, "09:10"), (12, "12:40"), (11, "18:05")], start=1):
    _add(f"moreau-{_n}", debt=_moreau, type="call", status="no_answer",
         executed=_day(_days, _at), scheduled=_day(_days, _at), line=_LINE_FR,
         duration_ms=27_000 + 1_500 * _n, disconnection_reason="dial_no_answer",
         is_retry=_n > 1, summary="No answer" if _n == 1 else f"Retry {_n - 1}: no answer")
_add("moreau-4", debt=_moreau, type="call", status="deal_found", executed=_day(10, "12:31"),
     scheduled=_day(10, "12:30"), line=_LINE_FR, recording="appel-moreau-echeancier.mp3",
     disconnection_reason="completed_successfully", is_retry=True,
     summary="Retry 3: reached; three monthly payments agreed",
     notes="Agreed three payments of €215 for the €645 balance. Link to follow by email.",
     example="retry")
_add("moreau-5", debt=_moreau, type="email", status="read", executed=_day(10, "12:40"),
     scheduled=_day(10, "12:40"), summary="Payment link for the first instalment",
     opens=4, first_open_after=timedelta(hours=1), clicks=1, triggered_payment=True)

# --- Günther Schäfer (B2B): a field visit that ended in payment ----------------------------
_schaefer = _debt("schaefer", "Günther Schäfer (Schäfer Gartenbau KG)")
_add("schaefer-0", debt=_schaefer, type="call", status="failed", executed=_day(24, "16:20"),
     scheduled=_day(24, "16:20"), line=_LINE_DE, recording="call-schaefer-wrong-number.mp3",
     disconnection_reason="wrong_number",
     summary="Wrong number: a private line, not the nursery's office",
     notes="The person who answered does not know Mr Schäfer; the debt was not mentioned. "
     "Office number to be checked against the invoice header.")
_add("schaefer-1", debt=_schaefer, type="email", status="delivered", executed=_day(21, "07:30"),
     scheduled=_day(21, "07:30"), summary="Reminder: two invoices overdue")
_add("schaefer-2", debt=_schaefer, type="postmail", status="delivered",
     executed=_day(16, "10:00"), scheduled=_day(16, "10:00"),
     summary="Reminder letter (scan not available)")
_add("schaefer-3", debt=_schaefer, type="physical", status="deal_found",
     executed=_day(9, "15:00"), scheduled=_day(9, "14:30"), triggered_payment=True,
     summary="Visit at the business premises; paid on site",
     notes="Field agent met Mr Schäfer at the nursery in Köpenick. Paid both invoices "
     "(€3,120.00) by card terminal. Receipt handed over.")
_add("schaefer-4", debt=_schaefer, type="sms", status="scheduled", scheduled=_day(-5, "09:00"),
     line=_LINE_DE, summary="Thank-you message")

# --- Krzysztof Żuławski: WhatsApp first, then a call that settles it -------------------------
_zulawski = _debt("zulawski", "Krzysztof Żuławski")
_add("zulawski-1", debt=_zulawski, type="whatsapp", status="failed", executed=_day(19, "11:00"),
     scheduled=_day(19, "11:00"), line=_LINE_UK,
     summary="Number not registered on WhatsApp")
_add("zulawski-2", debt=_zulawski, type="whatsapp", status="sent", executed=_day(18, "11:00"),
     scheduled=_day(18, "11:00"), line=_LINE_UK, is_retry=True,
     summary="Sent to the second number on file")
_add("zulawski-3", debt=_zulawski, type="sms", status="delivered", executed=_day(17, "11:00"),
     scheduled=_day(17, "11:00"), line=_LINE_UK, summary="SMS reminder delivered")
_add("zulawski-4", debt=_zulawski, type="call", status="deal_found", executed=_day(14, "10:03"),
     scheduled=_day(14, "10:00"), line=_LINE_UK, recording="call-zulawski-plan.mp3",
     disconnection_reason="completed_successfully",
     summary="Payment plan agreed: three instalments",
     notes="Mr Żuławski asked to spread the €390 over three months. Agreed €130 a month.")
_add("zulawski-5", debt=_zulawski, type="email", status="read", executed=_day(14, "10:15"),
     scheduled=_day(14, "10:15"), summary="Plan confirmation and first payment link",
     opens=5, first_open_after=timedelta(minutes=30), clicks=3, triggered_payment=True)

# --- Søren Kjærgaard: a quiet file ---------------------------------------------------------
_kjaergaard = _debt("kjaergaard", "Søren Kjærgaard")
_add("kjaergaard-1", debt=_kjaergaard, type="email", status="sent", executed=_day(2, "07:00"),
     scheduled=_day(2, "07:00"), summary="First reminder")
_add("kjaergaard-2", debt=_kjaergaard, type="sms", status="scheduled",
     scheduled=_day(-2, "10:00"), line=_LINE_UK, summary="SMS reminder")
_add("kjaergaard-3", debt=_kjaergaard, type="call", status="scheduled",
     scheduled=_day(-6, "11:00"), line=_LINE_UK, summary="First call")

# --- A debt imported this morning: no followups yet -----------------------------------------
EXAMPLES["debt_no_followups"] = _debt("new", "Chloé Bérubé")

# fmt: on

# --- Boulangerie Lefèvre & Fils: nine months of followups, for pagination --------------------
_big = _debt("boulangerie-lefevre", "Boulangerie Lefèvre & Fils SARL")
EXAMPLES["big_debt"] = _big


def _big_debt_history() -> None:
    """140 followups over nine months of an automated sequence, the same on every run."""
    rng = random.Random(4711)  # noqa: S311 - made-up data, not security
    channels = ("email", "sms", "call", "email", "whatsapp", "call", "voicemail", "postmail")
    for n in range(140):
        days_ago = 281 - n * 2 + int(n % 3 == 0)
        kind = channels[n % len(channels)]
        at = _day(days_ago, f"{8 + rng.randrange(10):02d}:{rng.randrange(0, 60, 5):02d}")
        fields: dict[str, Any] = {}
        if kind == "email":
            opens = rng.choice((0, 0, 1, 2, 4))
            fields = {
                "status": "read" if opens else "delivered",
                "opens": opens,
                "clicks": min(opens, rng.choice((0, 0, 1))),
                "first_open_after": timedelta(minutes=rng.randrange(5, 600)),
                "summary": "Automatic reminder",
            }
        elif kind in ("sms", "whatsapp"):
            fields = {
                "status": rng.choice(("delivered", "delivered", "sent", "failed")),
                "line": _LINE_FR,
                "summary": f"{'SMS' if kind == 'sms' else 'WhatsApp'} reminder",
            }
        elif kind == "call":
            outcome = rng.choice(("no_answer", "no_answer", "no_answer", "deal_not_found"))
            fields = {
                "status": outcome,
                "line": _LINE_FR,
                "is_retry": n % 4 == 2,
                "duration_ms": 25_000 + rng.randrange(10_000)
                if outcome == "no_answer"
                else 120_000 + rng.randrange(240_000),
                "disconnection_reason": "dial_no_answer"
                if outcome == "no_answer"
                else "user_hangup",
                "summary": "No answer"
                if outcome == "no_answer"
                else "Manager promises to pay after the season; no date given",
            }
        elif kind == "voicemail":
            fields = {
                "status": "delivered",
                "line": _LINE_FR,
                "duration_ms": 30_000,
                "disconnection_reason": "voicemail_reached",
                "summary": "Voicemail asking for a callback",
            }
        else:
            final = n > 120
            fields = {
                "status": "delivered" if final else "sent",
                "letter": "letter-final-notice.pdf" if final else None,
                "summary": "Final notice letter" if final else "Reminder letter",
            }
        _add(f"boulangerie-{n:03d}", debt=_big, type=kind, executed=at, scheduled=at, **fields)


_big_debt_history()


def _big_debt_recordings() -> None:
    """The bakery's two latest talks with its manager get recordings (the rest have none)."""
    talks = [
        r for r in SANDBOX_FOLLOWUPS if r["debt_id"] == _big and r["status"] == "deal_not_found"
    ]
    for record, recording in zip(
        talks[::-1],
        ("appel-boulangerie-promesse.mp3", "appel-boulangerie-faillite.mp3"),
        strict=False,
    ):
        record["duration_ms"] = _recording_attach(
            record["id"], call_id=record["call_id"], recording=recording
        )


_big_debt_recordings()


def _sort_key(record: dict[str, Any]) -> tuple[str, str]:
    when = record.get("call_date") or record.get("scheduled_at") or record.get("processed_at")
    return (when or "", record["id"])


# Newest first, like GetBill's examples; undated records last.
SANDBOX_FOLLOWUPS.sort(key=_sort_key, reverse=True)

# One example per documented status and type, taken from the hand-written debts.
for _record in SANDBOX_FOLLOWUPS:
    if _record["debt_id"] == _big:
        continue
    for _field, _values in (("status", FOLLOWUP_STATUSES), ("type", FOLLOWUP_TYPES)):
        if _record.get(_field) in _values:
            EXAMPLES.setdefault(f"{_field}_{_record[_field]}", _record["id"])

FOLLOWUPS_BY_ID: dict[str, dict[str, Any]] = {r["id"]: r for r in SANDBOX_FOLLOWUPS}


def followup_find(*, followup_id: str) -> dict[str, Any] | None:
    return FOLLOWUPS_BY_ID.get(followup_id)


def followup_recording(*, followup_id: str) -> Recording | None:
    """The recording behind the followup's `audio_url`, None for a followup without one."""
    object_key = FOLLOWUP_MEDIA.get(followup_id, {}).get("audio_url")
    return None if object_key is None else RECORDINGS[MEDIA_OBJECTS[object_key]]


def debt_followups_find(*, debt_id: str) -> list[dict[str, Any]] | None:
    """The debt's followups, newest first; None for a debt the sandbox does not know."""
    if debt_id not in SANDBOX_DEBTS:
        return None
    return [r for r in SANDBOX_FOLLOWUPS if r["debt_id"] == debt_id]
