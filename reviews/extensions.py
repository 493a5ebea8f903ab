"""What other apps learn of the reviews as they are written: a submitted review entering or
leaving the figures (submitted, reopened).

`reviews` imports none of the apps built on it. They register here from their
`AppConfig.ready()`; the review services call the registered hooks inside the transaction that
writes the review, so what a hook keeps (the insights' weekly roll-up) commits or rolls back
with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from reviews.models import Review

# +1: the review was just submitted (its answers saved); -1: it is about to stop counting
# (reopened), read while it still holds what it was submitted with.
Change = Literal[1, -1]
SubmittedHook = Callable[[Review, Change], None]

_submitted_hooks: dict[str, SubmittedHook] = {}


def submitted_hook_register(*, name: str, hook: SubmittedHook) -> None:
    """Call `hook` whenever a submitted review enters or leaves the figures (registering the
    same name again replaces it)."""
    _submitted_hooks[name] = hook


def submitted_changed(*, review: Review, change: Change) -> None:
    """Tell every registered app that `review` entered (+1) or is leaving (-1) the figures."""
    for hook in _submitted_hooks.values():
        hook(review, change)
