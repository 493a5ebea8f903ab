"""Which OAuth scopes the dashboard's GetBill client has, learnt from GetBill's own answers.

The dashboard asks for `followups:read debts:read`. A company administrator may not have ticked
`debts:read` for the service account: then the token endpoint refuses the request
(`invalid_scope`), or grants less than asked, or the API answers 403 `Required scope ...`. Every
page must keep working on `followups:read` alone, so a missing scope is remembered in the shared
cache (one worker finds out, every worker knows, and it is logged once), the token is asked for
without it, and no request that needs it is sent. After SCOPE_RECHECK_SECONDS the full set is
asked for again, so a scope granted in the meantime is picked up within the hour.
"""

import logging

from django.core.cache import cache

from followups.getbill.config import GetBillConfig

logger = logging.getLogger(__name__)

FOLLOWUPS_SCOPE = "followups:read"
DEBTS_SCOPE = "debts:read"
# As long as a token lives: a new grant is seen at the next sign-in after that.
SCOPE_RECHECK_SECONDS = 3600


def _missing_key(*, config: GetBillConfig, scope: str) -> str:
    return f"{config.cache_prefix}:scope-missing:{scope}"


def scope_available(*, config: GetBillConfig, scope: str) -> bool:
    """False when `scope` is not configured, or GetBill said lately that the client lacks it."""
    if scope not in config.scopes.split():
        return False
    return cache.get(_missing_key(config=config, scope=scope)) is None


def scope_missing_record(*, config: GetBillConfig, scope: str, reason: str) -> None:
    """Remember that the client lacks `scope`; logged once however many workers find out."""
    if cache.add(_missing_key(config=config, scope=scope), reason, timeout=SCOPE_RECHECK_SECONDS):
        logger.warning(
            "GetBill client lacks the %s scope (%s); working with %s until it is granted",
            scope,
            reason,
            FOLLOWUPS_SCOPE,
        )


def scopes_requested(*, config: GetBillConfig) -> str:
    """The configured scopes without those GetBill lately said the client lacks."""
    return " ".join(
        scope
        for scope in config.scopes.split()
        if scope == FOLLOWUPS_SCOPE or scope_available(config=config, scope=scope)
    )


def scopes_granted_record(*, config: GetBillConfig, requested: str, granted: object) -> None:
    """Note the scopes a token endpoint left out of what was asked (RFC 6749 section 3.3:
    `scope` in the answer says what was granted when it differs)."""
    if not isinstance(granted, str) or not granted.strip():
        return
    for scope in set(requested.split()) - set(granted.split()):
        scope_missing_record(config=config, scope=scope, reason="not granted with the token")
