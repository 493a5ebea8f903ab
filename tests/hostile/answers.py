"""Hypothesis strategies for whole GetBill answers: status line, headers and body.

Bodies are written as JSON text by `json_text`, which can also write what `json.dumps` will
not: duplicate keys (`Pairs`), numbers of any size and the NaN/Infinity literals (`Raw`), and
lone surrogates, which stay `\\udXXX` escapes. Most answers start from the documented example
and spoil some of its fields, so the parsing and the pages behind it are reached, rather than
being refused at the envelope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from tests.hostile.server import (
    ECHO_AUTHORIZATION,
    ECHO_LIMIT,
    ECHO_ORIGIN,
    ECHO_PAGE,
    ECHO_REQUEST_BODY,
    ECHO_STATUS,
    ECHO_TOKEN,
    ECHO_TYPE,
    MEDIA_PATH,
    Answer,
)
from tests.support.examples import followup_json
from tests.support.fake_getbill import DEBT_EXAMPLE

FOLLOWUP_ID = "abc123def456"
DEBT_ID = "xyz789ghi012"
CLIENT_ID = "hostile-dashboard"
CLIENT_SECRET = "hostile-client-secret-7c1e9a4b"
# Not JWT-shaped on purpose: redaction must not rely on the token's looks.
ACCESS_TOKEN = "tok_9d8c7b6a5f4e3d2c1b0a"
SIGNATURE = "5e1c0ffee5161a7e0123456789abcdef"
SIGNED_AUDIO_URL = f"{ECHO_ORIGIN}{MEDIA_PATH}call.mp3?X-Amz-Signature={SIGNATURE}&X-Amz-Expires=60"
SIGNED_PDF_URL = f"{ECHO_ORIGIN}{MEDIA_PATH}letter.pdf?X-Amz-Signature={SIGNATURE}"
# What must never be in a page, its headers or a log line.
SECRETS = (CLIENT_SECRET, ACCESS_TOKEN, SIGNATURE)
# The debtor's contact details in GetBill's debt: never in a page, its headers or a log line,
# whatever else the answer holds. Values no other strategy sends, so seeing one means it came
# from a contact field.
CONTACT_DETAILS = {
    "phone": "+33699887766",
    "mobile": "+33 6 99 88 77 55",
    "email": "private.debtor.7f3a@example.org",
    "birthdate": "1931-07-19",
    "address": "7 Hidden Lane, 75011 Paris",
    "postal_code": "75011-HIDDEN",
    "iban": "FR7630006000011234567890189",
}
# Marks hostile markup: seen unescaped in a page, GetBill's text reached the HTML as markup.
MARKUP_MARK = "<hostile-tag"


class Raw(str):
    """JSON text written as it is (big numbers, NaN, Infinity, broken syntax)."""


class Pairs(tuple):
    """A JSON object written with these (key, value) pairs in order, duplicates kept."""


def json_text(value: object) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Pairs | dict):
        items = value if isinstance(value, Pairs) else value.items()
        return "{" + ",".join(f"{json.dumps(k)}:{json_text(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    return json.dumps(value)


def json_bytes(value: object) -> bytes:
    return json_text(value).encode()


def _one_in(draw: st.DrawFn, n: int) -> bool:
    """True about once in `n` draws (Hypothesis favours the ends of a range: use the middle)."""
    return draw(st.integers(0, n - 1)) == n // 2


# --- Values ---------------------------------------------------------------------------------

NASTY_TEXTS = [
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "\udbff\udfff\ud800",
    "\x1b[2J\x1b[31mred\x1b[0m",
    "\x00nul",
    "bell\x07 and \x08backspace",
    "\x85\x9b\x9c c1",
    "\x7f",
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "zero\u200bwidth\u200d",
    "\ufeffbom",
    "line\u2028para\u2029",
    "\ufffe\uffff\U0010ffff",
    "A\u0301\u0301\u0301\u0301",
    f"{MARKUP_MARK} onload=alert(1)>",
    f"</script><script>alert(1)</script>{MARKUP_MARK}>",
    "\"'><img src=x onerror=alert(1)>",
    "{{ request }}{% debug %}",
    "javascript:alert(1)",
    ECHO_AUTHORIZATION,
    ECHO_TOKEN,
    f"token {ECHO_TOKEN} refused",
    f"Received: {ECHO_REQUEST_BODY}",
    f"client_secret={CLIENT_SECRET}",
    f"bad secret {CLIENT_SECRET}",
    f"see {SIGNED_AUDIO_URL}",
    "x" * 100_000,
    "🙂" * 5_000,
    "١٢٣",
    "²",
    "9" * 400,
    # Digits that str.isdigit() accepts and int() does not, where a phone number is expected.
    "+\u00b2\u00b2\u00b3\u00b3\u2074\u2074\u2075\u2075\u2076",
    "+\u0663\u0663\u0668\u0660\u0660\u0661\u0662\u0663",
]
_ANY_CHARACTER = st.characters(exclude_categories=())
text_any = st.text(_ANY_CHARACTER, max_size=30)
_nasty_text = st.sampled_from(NASTY_TEXTS)
hostile_text = st.one_of(
    _nasty_text,
    _nasty_text,
    _nasty_text,
    text_any,
    st.tuples(st.sampled_from(NASTY_TEXTS), text_any).map("".join),
)

NASTY_NUMBERS: list[object] = [
    Raw("1" + "0" * 400),
    Raw("-" + "9" * 400),
    Raw("1e308"),
    Raw("1e309"),
    Raw("-1e308"),
    Raw("1e-400"),
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    Raw("-0"),
    Raw("0.5"),
    Raw("1E2"),
    Raw("-1"),
    Raw("0"),
    True,
    False,
    None,
    "²",
    "١٢٣",
    "\uff11\uff12",
    "12",
    " 12 ",
    "0x1F",
    "1_000",
    "+5",
    "-5",
    "9" * 400,
    "",
    2**63,
    2**64 + 1,
    -(2**63),
]
number_any = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers(),
    st.integers(min_value=-5, max_value=100_000),
    st.floats(),
)

NASTY_DATES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59.999999+00:00",
    "2024-01-22T10:30:00Z",
    "2024-01-22T10:30:00",
    "2024-01-22",
    "2024-02-30T10:00:00+00:00",
    "2024-01-22T10:30:00+23:59",
    "2024-01-22T10:30:00-23:59",
    "2024-01-22T10:30:00+24:00",
    "2024-01-22T25:00:00+00:00",
    "2024-01-22T10:30:00.123456789+00:00",
    "2024-W04-1T10:00+01:00",
    "١٩٧٠-01-01T00:00:00+00:00",
    "2024-01-22T10:30:00+00:00\x00",
    "now",
    "",
]
_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_nasty_date = st.sampled_from(NASTY_DATES)
date_any = st.one_of(
    _nasty_date,
    _nasty_date,
    _nasty_date,
    st.datetimes(timezones=_offsets).map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),
    hostile_text,
    number_any,
)
json_any = st.recursive(
    st.none() | st.booleans() | number_any | hostile_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=6,
)

ID_SHAPES = [
    "",
    "a/b",
    "../x",
    "x" * 65,
    "abc\u200b123",
    "\u0430bc123",  # a Cyrillic "a" first
    "abc\uff11\uff12\uff13",
    "abc 123",
    "abc%2F123",
    "\ud800abc",
]
hostile_id = st.one_of(st.sampled_from(ID_SHAPES), json_any)

# --- The followup object -----------------------------------------------------------------

TEXT_FIELDS = (
    "status",
    "type",
    "summary",
    "notes",
    "call_id",
    "disconnection_reason",
    "direction",
    "phone_number_used",
)
DATE_FIELDS = (
    "call_date",
    "scheduled_at",
    "processed_at",
    "email_first_opened_at",
    "media_urls_expire_at",
)
COUNT_FIELDS = ("duration_ms", "email_open_count", "email_click_count")
BOOL_FIELDS = ("is_retry", "triggered_payment", "email_opened", "email_clicked")
URL_FIELDS = ("audio_url", "pdf_url")
FIELDS = ("debt_id", *TEXT_FIELDS, *DATE_FIELDS, *COUNT_FIELDS, *BOOL_FIELDS, *URL_FIELDS)

_HOSTILE_URLS = [
    SIGNED_AUDIO_URL,
    SIGNED_AUDIO_URL + "\x00",
    SIGNED_AUDIO_URL.replace("call.mp3", "ca\u202ell.mp3"),
    "javascript:alert(1)",
    "http://evil.example/call.mp3?X-Amz-Signature=" + SIGNATURE,
    f'{ECHO_ORIGIN}/media/"><script>alert(1)</script>',
    "data:audio/mp3;base64,AAAA",
    "//" + "a" * 9000,
]
_STATUSES = ["deal_found", "scheduled", "no_answer", "failed", "weird_new_status"]
_TYPES = ["call", "email", "sms", "postmail", "manual_call", "voicemail", "whatsapp", "fax"]


def _field_values(name: str) -> st.SearchStrategy[object]:
    if name in DATE_FIELDS:
        return date_any
    if name in COUNT_FIELDS:
        return number_any
    if name in BOOL_FIELDS:
        return st.one_of(st.booleans(), number_any, hostile_text)
    if name in URL_FIELDS:
        return st.one_of(st.sampled_from(_HOSTILE_URLS), hostile_text, json_any)
    if name == "debt_id":
        return st.one_of(st.just(DEBT_ID), hostile_id)
    if name == "status":
        return st.one_of(st.sampled_from(_STATUSES), hostile_text, json_any)
    if name == "type":
        return st.one_of(st.sampled_from(_TYPES), hostile_text, json_any)
    return st.one_of(hostile_text, hostile_text, json_any)


def followup_documented(*, followup_id: object, debt_id: str) -> dict[str, object]:
    """The documented example, with links signed on this server that expire in an hour."""
    return followup_json(
        id=followup_id,
        debt_id=debt_id,
        audio_url=SIGNED_AUDIO_URL,
        pdf_url=SIGNED_PDF_URL,
        media_urls_expire_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    )


@st.composite
def followup_object(draw: st.DrawFn, *, followup_id: object, debt_id: str = DEBT_ID) -> Pairs:
    """The documented followup with some fields spoilt, keys added, or keys given twice."""
    data: dict[str, object] = followup_documented(followup_id=followup_id, debt_id=debt_id)
    for name in FIELDS:
        if _one_in(draw, 4):
            data[name] = draw(_field_values(name))
    if draw(st.booleans()):
        data["type"] = draw(st.sampled_from(_TYPES))
    pairs = list(data.items())
    pairs += draw(st.lists(st.tuples(hostile_text, json_any), max_size=2))
    # A key given twice: JSON parsers keep the last one.
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2)):
        pairs.append((name, draw(_field_values(name))))
    if _one_in(draw, 20):
        pairs.append(("id", draw(hostile_id)))
    return Pairs(pairs)


# --- Whole answers ---------------------------------------------------------------------------

RATE_LIMIT_HEADERS = [
    b"X-RateLimit-Limit",
    b"X-RateLimit-Remaining",
    b"X-RateLimit-Reset",
    b"X-RateLimit-Window",
    b"Retry-After",
]
HEADER_NAMES = [
    *RATE_LIMIT_HEADERS,
    b"Content-Type",
    b"Content-Length",
    b"Content-Encoding",
    b"Transfer-Encoding",
    b"Location",
    b"Set-Cookie",
    b"WWW-Authenticate",
    b"x-ratelimit-remaining",
    b"X-Weird\xff",
]
NASTY_HEADER_VALUES = [
    "²".encode(),
    "¹²³".encode(),
    "١٢٣".encode(),
    "\uff11\uff12".encode(),
    "²".encode("latin-1"),
    b"9" * 5000,
    b"9" * 13,
    b"1000",
    b"950",
    b"3",
    b"1700000000",
    b"4102444800",
    b"253402300799",
    b"253402000000",
    b"-1",
    b"1.5",
    b" 3 ",
    b"",
    b"NaN",
    b"1e3",
    b"0",
    b"Wed, 21 Oct 2015 07:28:00 GMT",
    b"application/json; charset=utf-16",
    b"application/json; charset=bogus",
    b"text/html",
    b"gzip",
    b"chunked",
    b"x" * 70_000,
    b"a\r\nX-RateLimit-Remaining: \xc2\xb2",
]
_raw_header_value = st.one_of(
    hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")[:200]),
    st.binary(max_size=12),
)
header_value = st.one_of(st.sampled_from(NASTY_HEADER_VALUES), _raw_header_value)
# What HTTP parsers accept as a value (no control bytes), so the answer reaches the client's
# own reading of it rather than being refused by the HTTP layer.
_parseable_header_value = st.one_of(
    st.sampled_from(NASTY_HEADER_VALUES[:-2]),
    st.sampled_from(NASTY_HEADER_VALUES[:-2]),
    _raw_header_value.map(lambda value: bytes(b for b in value if b >= 0x20 and b != 0x7F)),
).map(bytes.strip)
headers_any = st.lists(
    st.tuples(st.sampled_from(HEADER_NAMES) | st.binary(min_size=1, max_size=8), header_value),
    max_size=5,
).map(tuple)
# Rate-limit headers only, often plausible: the quota footer is read from them.
rate_limit_headers = st.lists(
    st.tuples(st.sampled_from(RATE_LIMIT_HEADERS), _parseable_header_value), max_size=5
).map(tuple)
STATUSES = [200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 405, 409, 422, 429, 500, 502]
status_any = st.one_of(
    st.sampled_from([*STATUSES, 503, 504, 599, 100, 101]), st.integers(min_value=200, max_value=599)
)
reason_any = st.one_of(st.just(b"OK"), st.binary(max_size=10).filter(lambda b: b"\n" not in b))
_DEEP = 100_000


@st.composite
def body_bytes(draw: st.DrawFn, value: object) -> bytes:
    """`value` as JSON text, sometimes spoilt on the way: BOM, another encoding, cut short,
    buried in nesting, or replaced by bytes that are no JSON at all."""
    body = json_bytes(value)
    spoil = draw(st.integers(0, 24)) - 10  # Hypothesis favours the ends: keep them plain
    if spoil == 0:
        return b"\xef\xbb\xbf" + body
    if spoil == 1:
        return json_text(value).encode("utf-16")
    if spoil == 2:
        return body[: draw(st.integers(0, max(0, len(body) - 1)))]
    if spoil == 3:
        return b"[" * _DEEP + body + b"]" * _DEEP
    if spoil == 4:
        return draw(st.binary(max_size=40))
    return body


@st.composite
def error_envelope(draw: st.DrawFn) -> object:
    details = Pairs(
        [
            ("retry_after", draw(number_any)),
            ("limit", draw(number_any)),
            ("reset_time", draw(date_any)),
        ]
    )
    return Pairs(
        [
            ("error", draw(st.one_of(st.just(True), json_any))),
            ("message", draw(hostile_text)),
            ("code", draw(number_any)),
            ("details", draw(st.one_of(st.just(details), json_any))),
        ]
    )


def _success_error_flag(draw: st.DrawFn) -> tuple[str, object]:
    # Mostly the documented `"error": false`; sometimes anything else.
    if _one_in(draw, 10):
        return ("error", draw(st.sampled_from([False] * 9 + [None]) | json_any))
    return ("error", False)


@st.composite
def _answer(
    draw: st.DrawFn, *, success: list[tuple[str, object]], error_statuses: list[int]
) -> Answer:
    """A documented success (`"error"` flag, then `success`), GetBill's error shape with one of
    `error_statuses`, or any JSON, with headers that are mostly about the quota."""
    shape = draw(st.sampled_from(["success"] * 7 + ["error"] * 2 + ["any"]))
    envelope: object
    if shape == "success":
        envelope = Pairs([_success_error_flag(draw), *success])
        status = draw(status_any) if _one_in(draw, 8) else 200
    elif shape == "error":
        envelope = draw(error_envelope())
        status = draw(st.sampled_from(error_statuses))
    else:
        envelope = draw(json_any)
        status = draw(status_any)
    return Answer(
        status=status,
        reason=draw(reason_any),
        headers=draw(headers_any) if _one_in(draw, 4) else draw(rate_limit_headers),
        body=draw(body_bytes(envelope)),
    )


@st.composite
def followup_answer(draw: st.DrawFn, *, followup_id: str = FOLLOWUP_ID) -> Answer:
    data = draw(followup_object(followup_id=followup_id))
    return draw(
        _answer(
            success=[("message", "Success"), ("data", data)],
            error_statuses=[400, 401, 403, 404, 422, 429, 500, 502, 503],
        )
    )


DEBT_ITEM_IDS = ["abc123def456", "f0000000001", "f0000000002", "f0000000003"]


@st.composite
def debt_answer(draw: st.DrawFn, *, page: int, pages: int) -> Answer:
    ids = st.one_of(st.sampled_from(DEBT_ITEM_IDS), st.sampled_from(DEBT_ITEM_IDS), hostile_id)
    items = [
        draw(followup_object(followup_id=item_id)) for item_id in draw(st.lists(ids, max_size=4))
    ]
    documented = (("total", pages * 4), ("page", page), ("limit", 100), ("pages", pages))
    lying = Pairs([(key, draw(st.one_of(st.just(value), number_any))) for key, value in documented])
    pagination = draw(
        st.one_of(st.just(Pairs(documented)), st.just(Pairs(documented)), st.just(lying), json_any)
    )
    return draw(
        _answer(
            success=[("data", items), ("pagination", pagination)],
            error_statuses=[400, 403, 404, 422, 429, 500, 502, 503],
        )
    )


_NO_SCOPE = object()


def token_documented(*, expires_in: object = 3600, scope: object = _NO_SCOPE) -> Answer:
    pairs = [("access_token", ACCESS_TOKEN), ("token_type", "Bearer"), ("expires_in", expires_in)]
    if scope is not _NO_SCOPE:
        pairs.append(("scope", scope))
    return Answer(headers=((b"Content-Type", b"application/json"),), body=json_bytes(Pairs(pairs)))


SCOPES_GRANTED = [
    "followups:read debts:read",
    "followups:read",
    "debts:read",
    "",
    " ",
    "followups:read,debts:read",
    "FOLLOWUPS:READ DEBTS:READ",
    "followups:read\tdebts:read",
    "followups:read debts:read debts:write admin",
    "followups:read\u00a0debts:read",
    "debts:read" * 1000,
]
scope_any = st.one_of(
    st.just(_NO_SCOPE),
    st.sampled_from(SCOPES_GRANTED),
    st.sampled_from(SCOPES_GRANTED),
    hostile_text,
    json_any,
)


@st.composite
def token_answer(draw: st.DrawFn) -> Answer:
    shape = draw(st.sampled_from(["expires_in"] * 3 + ["scope"] * 2 + ["fields", "error", "any"]))
    if shape in ("expires_in", "scope"):
        answer = (
            token_documented(expires_in=draw(number_any))
            if shape == "expires_in"
            else token_documented(scope=draw(scope_any))
        )
        return Answer(
            status=answer.status,
            headers=answer.headers + draw(headers_any),
            body=draw(body_bytes(Raw(answer.body.decode()))),
        )
    values: object
    if shape == "fields":
        values = Pairs(
            [
                ("access_token", draw(st.one_of(st.just(ACCESS_TOKEN), hostile_text, json_any))),
                ("token_type", draw(st.one_of(st.just("Bearer"), hostile_text, json_any))),
                ("expires_in", draw(number_any)),
                *draw(st.lists(st.tuples(hostile_text, json_any), max_size=2)),
            ]
        )
    elif shape == "error":
        values = Pairs(
            [
                (
                    "error",
                    draw(
                        st.one_of(
                            st.sampled_from(["invalid_client", "invalid_scope"]), hostile_text
                        )
                    ),
                ),
                ("error_description", draw(hostile_text)),
            ]
        )
    else:
        values = draw(json_any)
    return Answer(
        status=draw(st.one_of(st.just(200), status_any)),
        reason=draw(reason_any),
        headers=draw(headers_any),
        body=draw(body_bytes(values)),
    )


# --- The debt (GET /debts/{id}) ---------------------------------------------------------------

DEBT_NAME_FIELDS = ("civility", "firstname", "lastname", "debtor_company", "company")
DEBT_DATE_FIELDS = ("due_date", "plan_start_date", "invoice_date")
DEBT_COUNT_FIELDS = ("followups_count", "nb_answered", "nb_reminders")
# Names whose case or initials are not one letter each: "ǆ" title-cases to "ǅ", "ß" and "ﬀ"
# grow when upper-cased, "İ" lower-cases to two code points; marks with no letter.
NASTY_NAMES = [
    "ǆemal",
    "ßmith",
    "ﬀion",
    "İlker",
    "\u0301\u0301",
    "-",
    "O'Brien-d'Arc",
    "李小龙",
    "١٢٣",
    "Mr\x00",
    "M\u202ert",
]
_name_any = st.one_of(st.sampled_from(NASTY_NAMES), hostile_text, json_any)
NASTY_AMOUNT_TEXTS = [
    "1250.00",
    "1,250.00",
    "1 250,00",
    "1.250,00",
    "€1250",
    "1250 EUR",
    "1e5",
    "1E+999999999",
    "1E-999999999",
    "-1E-999999999",
    "0." + "0" * 5000 + "1",
    "9" * 5000,
    "1" + "0" * 14,
    "-0",
    "NaN",
    "-sNaN",
    "Infinity",
    "١٢٥٠",
    "\uff11\uff12\uff15\uff10",
    "1_250",
    " 1250 ",
    "+1250",
    "",
    ".",
]
_amount_text_any = st.one_of(
    st.sampled_from(NASTY_AMOUNT_TEXTS),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    hostile_text,
    number_any,
)
NASTY_CURRENCIES = [
    "EUR",
    "eur",
    "€",
    "JPY",
    "BHD",
    "CLF",
    "XXX",
    "ZZZ",
    "EURO",
    "E\u0301UR",
    "\uff25\uff35\uff32",
    "BTC",
    " GBP ",
    "US$",
]
_currency_any = st.one_of(st.sampled_from(NASTY_CURRENCIES), hostile_text, json_any)
DEBT_STATUSES_SENT = [
    "status.default.in_progress",
    "status.default.paid",
    "status.default.on_hold",
    "status.default.unknown_new",
    "status.custom.waiting_for_lawyer",
    "status.default.",
    "status.",
]
_debt_status_any = st.one_of(st.sampled_from(DEBT_STATUSES_SENT), hostile_text, json_any)
NASTY_DAYS = ["0001-01-01", "9999-12-31", "2024-02-30", "20240122", "2024-W04-1", "2024-01-22x"]
_day_any = st.one_of(st.sampled_from(NASTY_DAYS), date_any)
_flag_any = st.one_of(st.booleans(), number_any, hostile_text)


def _debt_field_values(name: str) -> st.SearchStrategy[object]:
    if name in DEBT_NAME_FIELDS:
        return _name_any
    if name in DEBT_DATE_FIELDS:
        return _day_any
    if name in DEBT_COUNT_FIELDS:
        return st.one_of(number_any, st.booleans())
    if name == "amount":
        return st.one_of(number_any, _amount_text_any)
    if name == "amount_text":
        return _amount_text_any
    if name == "currency":
        return _currency_any
    if name == "status":
        return _debt_status_any
    if name == "payment_plan_active":
        return _flag_any
    return st.one_of(hostile_text, json_any)


DEBT_FIELDS = (
    *DEBT_NAME_FIELDS,
    *DEBT_DATE_FIELDS,
    *DEBT_COUNT_FIELDS,
    "amount",
    "amount_text",
    "currency",
    "status",
    "payment_plan_active",
    "invoice_reference",
    "summary",
)


def debt_documented(*, debt_id: object = DEBT_ID) -> dict[str, object]:
    """GetBill's Get Debt example, with the contact details above."""
    return {**DEBT_EXAMPLE, "id": debt_id, **CONTACT_DETAILS}


@st.composite
def debt_object(draw: st.DrawFn, *, debt_id: object = DEBT_ID) -> Pairs:
    """The documented debt with some fields spoilt, keys added or given twice, and the contact
    details also under other names and nested (`contacts`, `debtor`)."""
    data: dict[str, object] = debt_documented(debt_id=debt_id)
    for name in DEBT_FIELDS:
        if _one_in(draw, 3):
            data[name] = draw(_debt_field_values(name))
    if _one_in(draw, 3):
        data["contacts"] = [
            dict(CONTACT_DETAILS),
            {"type": "phone", "value": CONTACT_DETAILS["mobile"]},
        ]
        data["debtor"] = Pairs(CONTACT_DETAILS.items())
    pairs = list(data.items())
    pairs += draw(st.lists(st.tuples(hostile_text, json_any), max_size=2))
    for name in draw(st.lists(st.sampled_from(DEBT_FIELDS), max_size=2)):
        pairs.append((name, draw(_debt_field_values(name))))
    if _one_in(draw, 20):
        pairs.append(("id", draw(hostile_id)))
    return Pairs(pairs)


SCOPE_REFUSED_MESSAGE = 'Required scope "debts:read" not found in token'


@st.composite
def debt_record_answer(draw: st.DrawFn) -> Answer:
    """GET /debts/{id}: a spoilt debt, an error (a refused scope among them), or anything."""
    if _one_in(draw, 8):
        return error_answer(
            403,
            draw(st.sampled_from([SCOPE_REFUSED_MESSAGE, f"{SCOPE_REFUSED_MESSAGE} {ECHO_TOKEN}"])),
        )
    return draw(
        _answer(
            success=[("message", "Success"), ("data", draw(debt_object()))],
            error_statuses=[400, 401, 403, 404, 422, 429, 500, 502, 503],
        )
    )


def error_answer(status: int, message: str, **details: object) -> Answer:
    body = Pairs([("error", True), ("message", message), ("code", status), ("details", details)])
    return Answer(status=status, body=json_bytes(body))


def debt_record_documented_answer() -> Answer:
    envelope = Pairs([("error", False), ("message", "Success"), ("data", debt_documented())])
    return Answer(headers=((b"Content-Type", b"application/json"),), body=json_bytes(envelope))


# --- The followups list (GET /followups) -----------------------------------------------------

LIST_ITEM_IDS = [FOLLOWUP_ID, "f0000000001", "f0000000002", "L-1_x", "9" * 64]


@st.composite
def list_item(draw: st.DrawFn) -> Pairs:
    """A followup of the list: mostly of the type and status the request filtered by (echoed),
    sometimes of another; any debt."""
    # Mostly IDs of the pool (so duplicates come often), now and then no ID at all.
    item_id = draw(hostile_id) if _one_in(draw, 12) else draw(st.sampled_from(LIST_ITEM_IDS))
    pairs = list(draw(followup_object(followup_id=item_id)))
    if not _one_in(draw, 12):
        pairs.append(("type", ECHO_TYPE))
    if not _one_in(draw, 12):
        pairs.append(("status", ECHO_STATUS))
    return Pairs(pairs)


@st.composite
def list_answer(draw: st.DrawFn) -> Answer:
    """A page of GET /followups: duplicate or odd IDs, items that ignore the filter, and a
    pagination that may lie about the page, the size, the total or the number of pages."""
    items = draw(st.lists(list_item(), max_size=5))
    pages = draw(st.integers(0, 5)) if not _one_in(draw, 8) else draw(number_any)
    documented = (
        ("total", Raw(str(len(items) * 3))),
        ("page", Raw(ECHO_PAGE)),
        ("limit", Raw(ECHO_LIMIT)),
        ("pages", pages),
    )
    lying = Pairs([(key, draw(st.one_of(st.just(value), number_any))) for key, value in documented])
    pagination = draw(
        st.sampled_from([Pairs(documented)] * 5 + [lying]) if not _one_in(draw, 12) else json_any
    )
    return draw(
        _answer(
            success=[("data", items), ("pagination", pagination)],
            error_statuses=[400, 403, 404, 422, 429, 500, 502, 503],
        )
    )


@dataclass(frozen=True)
class Scenario:
    """Everything GetBill answers during one example."""

    token: tuple[Answer, ...] = field(default_factory=lambda: (token_documented(),))
    followup: tuple[Answer, ...] = ()
    debt_pages: tuple[Answer, ...] = ()
    debt_record: tuple[Answer, ...] = ()
    followups_list: tuple[Answer, ...] = ()
    # Who looks: a Collections manager sees the debtor's name, a QA reviewer initials.
    role: str = "manager"
    # The viewer's time zone (the browser's, from its cookie): moments are shown in it.
    zone: str = "UTC"


def followup_documented_answer() -> Answer:
    envelope = Pairs(
        [
            ("error", False),
            ("message", "Success"),
            ("data", followup_documented(followup_id=FOLLOWUP_ID, debt_id=DEBT_ID)),
        ]
    )
    return Answer(headers=((b"Content-Type", b"application/json"),), body=json_bytes(envelope))


def debt_documented_answer() -> Answer:
    items = [followup_documented(followup_id=item, debt_id=DEBT_ID) for item in DEBT_ITEM_IDS]
    envelope = Pairs(
        [
            ("error", False),
            ("data", items),
            ("pagination", Pairs([("total", 4), ("page", 1), ("limit", 100), ("pages", 1)])),
        ]
    )
    return Answer(headers=((b"Content-Type", b"application/json"),), body=json_bytes(envelope))


# The zones furthest from UTC either way, and one with an odd offset.
ZONES = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu", "America/St_Johns"]
zone_any = st.sampled_from(ZONES)


@st.composite
def debt_pages_any(draw: st.DrawFn) -> tuple[Answer, ...]:
    pages = draw(st.integers(min_value=1, max_value=3))
    return tuple(draw(debt_answer(page=number, pages=pages)) for number in range(1, pages + 1))
