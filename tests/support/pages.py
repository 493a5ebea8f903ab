"""Pages through Django's test client, as tests read them."""

from typing import Any

from django.test import Client


def page_get(client: Client, url: str, **extra: Any) -> tuple[int, str]:
    """GET `url` with `client`: the status code and the decoded body."""
    response = client.get(url, **extra)
    return response.status_code, response.content.decode()


class _Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "_Element | None") -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent

    def htmx(self, name: str) -> str | None:
        """The `hx-<name>` attribute htmx uses for this element: its own, or the nearest
        ancestor's (htmx inherits them); `hx-target="this"` names the element that says it."""
        element: _Element | None = self
        while element is not None:
            value = element.attrs.get(f"hx-{name}")
            if value is not None:
                if value == "this" and "id" in element.attrs:
                    return f"#{element.attrs['id']}"
                return value
            element = element.parent
        return None


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


def elements_find(html: str, selector: dict[str, str], tag: str = "") -> list[_Element]:
    """The elements of `html` (of `tag`, when given) whose attributes include `selector`'s
    (a class matches one of the element's classes), each knowing its ancestors."""
    from html.parser import HTMLParser

    found: list[_Element] = []

    class _Parser(HTMLParser):
        current: _Element | None = None

        def handle_starttag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
            element = _Element(name, {k: v or "" for k, v in attrs}, self.current)
            matches = (not tag or name == tag) and all(
                value in element.attrs.get(key, "").split()
                if key == "class"
                else element.attrs.get(key) == value
                for key, value in selector.items()
            )
            if matches:
                found.append(element)
            if name not in _VOID:
                self.current = element

        def handle_endtag(self, name: str) -> None:
            element = self.current
            while element is not None and element.tag != name:
                element = element.parent
            if element is not None:
                self.current = element.parent

    _Parser().feed(html)
    return found
