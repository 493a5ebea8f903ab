"""Pages read by their structure, as a browser reads them: how a template is laid out (line
breaks, indentation, the order of attributes) never decides a test.

`assert_in_html` is Django's assertInHTML (whole elements, or a run of sibling elements, found
in the page); `html_find` picks elements by tag and attributes, for what a test checks about
one element (an attribute, its text) without spelling out all of it.
"""

import re
from typing import Any

from django.test.html import Element, parse_html
from pytest_django.asserts import assertInHTML

__all__ = [
    "assert_in_html",
    "html_attribute",
    "html_find",
    "html_has",
    "html_one",
    "html_text",
    "html_texts",
]


def assert_in_html(needle: str, page: str, count: int | None = None) -> None:
    """`needle` (one element or a run of siblings) is in `page`, compared as parsed HTML
    (at least once, or exactly `count` times)."""
    assertInHTML(needle, page, count=count)


def _attribute_name(keyword: str) -> str:
    # Keywords stand for attribute names: `class_` for class, `_` for `-` (`data_player`).
    return keyword.rstrip("_").replace("_", "-")


def _matches(element: Element, tag: str, wanted: dict[str, Any]) -> bool:
    if tag not in ("*", element.name):
        return False
    attributes = dict(element.attributes)
    for name, value in wanted.items():
        if name not in attributes:
            return False
        if value is True:
            continue
        if name == "class":
            # Classes in any order, others allowed: `class_="badge"` matches "badge tone-ok".
            if not set(str(value).split()) <= set((attributes[name] or "").split()):
                return False
        elif attributes[name] != str(value):
            return False
    return True


def _walk(element: Element) -> list[Element]:
    found = []
    for child in element.children:
        if isinstance(child, Element):
            found.append(child)
            found.extend(_walk(child))
    return found


def html_find(page: str | Element, tag: str, **attributes: Any) -> list[Element]:
    """The elements named `tag` ("*": any) in `page` (a page's text, or inside an element found
    before), in document order, that carry every attribute given (`True`: present with any
    value; `class_`: these classes among others)."""
    wanted = {_attribute_name(key): value for key, value in attributes.items()}
    if isinstance(page, Element):
        elements = _walk(page)  # what the element holds, not the element itself
    else:
        # A page of one element parses to that element itself, not to a root around it.
        root = parse_html(page)
        elements = [root, *_walk(root)] if isinstance(root, Element) else []
    return [element for element in elements if _matches(element, tag, wanted)]


def html_one(page: str | Element, tag: str, **attributes: Any) -> Element:
    """The one element `html_find` finds; fails the test when there are none or several."""
    found = html_find(page, tag, **attributes)
    assert len(found) == 1, f"{len(found)} <{tag}> elements with {attributes}"
    return found[0]


def html_texts(page: str | Element, tag: str, **attributes: Any) -> list[str]:
    """The text of each element `html_find` finds, in document order."""
    return [html_text(element) for element in html_find(page, tag, **attributes)]


def html_attribute(element: Element, name: str) -> str | None:
    """The value of the attribute `name`: None when it is missing, and for HTML's boolean
    attributes (`hidden`, `disabled`...), which `html_has` tells apart."""
    return dict(element.attributes).get(name)


def html_has(element: Element, name: str) -> bool:
    """Whether the element carries the attribute `name`, with or without a value."""
    return name in dict(element.attributes)


def html_text(element: Element | str) -> str:
    """The element's text, as a reader sees it: tags dropped, runs of whitespace one space."""
    if isinstance(element, str):
        # HTML's whitespace only: a no-break space stays.
        return " ".join(word for word in re.split(r"[ \t\n\r\f]+", element) if word)
    parts = [html_text(child) for child in element.children]
    return " ".join(part for part in parts if part)
