"""The sandbox's fault IDs of an unusable GetBill answer (sandbox.data.FAULT_IDS), each with the
error the client raises and the sentence the error page says, defined once for the client's
and the pages' tests."""

from followups import getbill

UNUSABLE_ANSWERS: dict[str, tuple[type[getbill.UpstreamFailureError], str]] = {
    "server_error": (
        getbill.UpstreamServerError,
        "GetBill had an internal error (500) and could not answer.",
    ),
    "bad_gateway_html": (
        getbill.UpstreamGatewayError,
        "A gateway in front of GetBill answered with an error page instead of GetBill: "
        "GetBill may be restarting or overloaded.",
    ),
    "malformed_json": (
        getbill.UpstreamMalformedError,
        "GetBill's answer arrived cut off or garbled, so it could not be read.",
    ),
    "wrong_id": (
        getbill.UpstreamWrongAnswerError,
        "GetBill answered with another followup than the one asked for, so nothing from that "
        "answer is shown.",
    ),
}
