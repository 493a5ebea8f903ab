"""Every way a GetBill lookup can fail, each class with all that is said about it.

An error carries its HTTP status, the message shown to the user, the error page's title and
hint, and how the audit trail records it (outcome and wording), so views, the audit trail and
the access checks read them from the error instead of keeping tables of their own, and a new
kind of failure is one class here.

`subject` is what was looked up ("followup" or "debt"): titles and audit wording name it.
Audit outcomes are the values of `followups.models.AuditOutcome`, spelled out here because the
client is imported by the settings, before any model can be.
"""

from typing import Literal

from followups.errors import AppError, wait_describe

Subject = Literal["followup", "debt"]

# What to do about a failure on GetBill's side, under the error's own message.
TRANSIENT_HINT = (
    "Try again in a minute; if it keeps failing, tell the team that runs the dashboard."
)
SIGN_IN_FAILING = "Signing in to GetBill is failing; try again in a minute."
MISCONFIGURED = "The dashboard's connection to GetBill is misconfigured."


class GetBillError(AppError):
    """Base of every failure of a GetBill lookup; the error boundary turns it into an error
    page or a panel's error."""

    status_code: int = 502
    default_message: str = "GetBill could not answer."
    # `{subject}` and `{Subject}` in titles and audit words name what was looked up.
    title: str = "GetBill returned an error"
    hint: str = ""
    audit_outcome: str = "failed"
    audit_words: str = "GetBill error"
    # GetBill's answers are recorded with the status they came as; the dashboard's own refusals
    # need none.
    audit_shows_status: bool = True
    # Why GetBill is not answering, when a kept copy is shown instead ("GetBill is not
    # answering: ...").
    outage_words: str = "it is failing"

    def __init__(self, user_message: str | None = None, *, subject: Subject = "followup") -> None:
        self.subject: Subject = subject
        super().__init__(user_message)

    def _subject_format(self, text: str) -> str:
        return text.format(subject=self.subject, Subject=self.subject.capitalize())

    @property
    def page_title(self) -> str:
        return self._subject_format(self.title)

    @property
    def offers_lookup(self) -> bool:  # type: ignore[override]
        return self.subject != "debt"

    @property
    def audit_detail(self) -> str:
        """What went wrong, in the audit trail's words, with the status GetBill answered."""
        words = self._subject_format(self.audit_words)
        return f"{words} ({self.status_code})" if self.audit_shows_status else words


class InvalidIdError(GetBillError):
    """Not a GetBill ID; GetBill was not asked."""

    status_code = 400
    default_message = "That is not a GetBill ID: IDs are 1 to 64 letters, digits, '-' or '_'."
    title = "That is not a {subject} ID"
    audit_outcome = "rejected_input"
    audit_words = "not a valid {subject} ID"
    audit_shows_status = False


class IdRefusedError(InvalidIdError):
    """The ID passed the dashboard's checks, but GetBill says it cannot be one of its IDs."""

    default_message = "GetBill does not recognise this as one of its IDs."
    audit_words = "GetBill refused the {subject} ID"
    audit_shows_status = True


class NotFoundError(GetBillError):
    status_code = 404
    default_message = "GetBill has nothing under this ID."
    title = "{Subject} not found"
    audit_outcome = "not_found"
    audit_words = "GetBill found no such {subject}"


class AccessDeniedError(GetBillError):
    status_code = 403
    default_message = "GetBill denied access."
    title = "Access denied"
    audit_outcome = "denied"
    audit_words = "GetBill denied access"


class ScopeMissingError(AccessDeniedError):
    """The dashboard's GetBill client lacks an OAuth scope (`debts:read`): its token endpoint
    refused the scope or its API answered 403 "Required scope"; or the scope is known to be
    missing, and GetBill was not asked."""

    default_message = (
        "Debt details need the debts:read scope: a GetBill company administrator can add it to "
        "the dashboard's API client (Company, API Client Management)."
    )
    audit_words = "GetBill client lacks the debts:read scope"
    audit_shows_status = False


class ScopeRefusedError(ScopeMissingError):
    """GetBill's API answered this request 403 `Required scope "debts:read"`: unlike a scope
    known to be missing beforehand, the lookup reached GetBill, so it has its audit entry."""

    audit_words = "GetBill refused the request: the client lacks the debts:read scope"
    audit_shows_status = True


class RateLimitedError(GetBillError):
    status_code = 429
    default_message = "The company's GetBill request quota is used up for now."
    title = "Too many requests to GetBill"
    audit_outcome = "rate_limited"
    audit_words = "GetBill's rate limit reached"
    outage_words = "the company's request quota is used up for now"

    def __init__(
        self,
        user_message: str | None = None,
        *,
        retry_after_seconds: int | None = None,
        subject: Subject = "followup",
        reason: str | None = None,
    ) -> None:
        self.retry_after_seconds = retry_after_seconds
        # What was refused and why, without the wait: pages that count the wait down show it.
        self.reason = reason or user_message or self.default_message
        if user_message is None and retry_after_seconds is not None:
            wait = wait_describe(retry_after_seconds)
            user_message = f"{self.reason} Try again {wait}."
        super().__init__(user_message or self.reason, subject=subject)


class UpstreamFailureError(GetBillError):
    status_code = 502
    default_message = "GetBill sent an answer the dashboard could not use."
    hint = TRANSIENT_HINT
    audit_words = "GetBill failed or sent an unreadable answer"
    outage_words = "it answers with errors"


# Each way GetBill's answer can be unusable says so in its own words: a reviewer quoting the
# page to support, and an auditor reading the trail, can tell them apart.


class UpstreamServerError(UpstreamFailureError):
    """GetBill answered with an error of its own (a 5xx with GetBill's JSON error body)."""

    default_message = "GetBill had an internal error and could not answer."
    audit_words = "GetBill failed with an error of its own"

    def __init__(
        self,
        user_message: str | None = None,
        *,
        upstream_status: int = 500,
        subject: Subject = "followup",
    ) -> None:
        self.upstream_status = upstream_status
        if user_message is None:
            user_message = (
                f"GetBill had an internal error ({upstream_status}) and could not answer."
            )
        super().__init__(user_message, subject=subject)

    @property
    def audit_detail(self) -> str:
        # GetBill's own status, not the 502 the dashboard answers with.
        return f"{self._subject_format(self.audit_words)} ({self.upstream_status})"


class UpstreamGatewayError(UpstreamFailureError):
    """An error page that is not GetBill's (HTML from a proxy or gateway in front of it)."""

    default_message = (
        "A gateway in front of GetBill answered with an error page instead of GetBill: "
        "GetBill may be restarting or overloaded."
    )
    audit_words = "a gateway in front of GetBill answered with an error page"
    audit_shows_status = False


class UpstreamMalformedError(UpstreamFailureError):
    """A success whose body is not readable JSON (cut off or garbled on the way)."""

    default_message = "GetBill's answer arrived cut off or garbled, so it could not be read."
    audit_words = "GetBill's answer was not readable JSON"
    # GetBill said 200; the dashboard's 502 would mislead.
    audit_shows_status = False


class UpstreamWrongAnswerError(UpstreamFailureError):
    """A well-formed answer about another followup (or another debt's followups)."""

    default_message = (
        "GetBill answered with another {subject} than the one asked for, so nothing from that "
        "answer is shown."
    )
    audit_words = "GetBill answered for another {subject}"
    audit_shows_status = False

    def __init__(self, user_message: str | None = None, *, subject: Subject = "followup") -> None:
        super().__init__(
            user_message or self.default_message.format(subject=subject), subject=subject
        )


class UpstreamTimeoutError(GetBillError):
    status_code = 504
    default_message = "GetBill took too long to answer."
    title = "GetBill is too slow right now"
    hint = TRANSIENT_HINT
    audit_words = "GetBill took too long to answer"
    outage_words = "it is too slow"


class UpstreamUnavailableError(GetBillError):
    status_code = 503
    default_message = "GetBill cannot be reached right now."
    title = "GetBill is unreachable"
    hint = TRANSIENT_HINT
    audit_words = "GetBill unreachable"
    outage_words = "it cannot be reached"
