"""Pages through Django's test client, as tests read them."""

from typing import Any

from django.test import Client


def page_get(client: Client, url: str, **extra: Any) -> tuple[int, str]:
    """GET `url` with `client`: the status code and the decoded body."""
    response = client.get(url, **extra)
    return response.status_code, response.content.decode()
