"""The auth backend's former home, kept because sessions name their backend.

Django stores the dotted path of the backend that signed a user in with the session and
resolves the user through that path on every request, only while the path is listed in
AUTHENTICATION_BACKENDS. Sessions signed in before the backend moved to `dashboard/` name
this path; listing it keeps them signed in. It signs nobody in: new sessions store
`dashboard.auth_backends.OneQueryModelBackend`, so this module and its settings entry can go
once no session older than the move is left.
"""

from typing import Any

from dashboard import auth_backends


class OneQueryModelBackend(auth_backends.OneQueryModelBackend):
    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kwargs: Any
    ) -> None:
        return None

    async def aauthenticate(
        self, request: Any, username: Any = None, password: Any = None, **kwargs: Any
    ) -> None:
        return None
