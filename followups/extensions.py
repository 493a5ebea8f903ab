"""What other apps add to the followups pages: panels of a followup's page, layers of its
player's seek bar, regions of the review queue and of the followups list, what can be done with
the list's ticked rows, what the review queue leaves out and the other orders it offers, and
where words typed in the header's box (not an ID) are searched.

`followups` imports none of the apps built on it. They register here from their
`AppConfig.ready()`, and the followups views ask this registry: a panel is rendered by the app
that owns it, with the followup the page already fetched (no second request to GetBill).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString, mark_safe

from followups.getbill import Followup

if TYPE_CHECKING:
    from followups.browse import ListFilters

PanelColumn = Literal["main", "side"]

Memoized = TypeVar("Memoized")


@dataclass(frozen=True)
class DetailPanel:
    """A region of a followup's page. `render` returns its HTML, or "" when there is nothing
    for this user and followup. Panels of a column are shown by `order`, after the player."""

    name: str
    render: Callable[[HttpRequest, Followup], str]
    column: PanelColumn = "main"
    order: int = 100


@dataclass(frozen=True)
class SeekBarLayer:
    """Something drawn on the player's seek bar (a waveform, markers at moments). `render`
    returns its HTML, or "" when there is nothing for this user and followup; layers are laid
    over the seek bar by `order`. What the player does with a layer's markup is its DOM
    contract (static/js/player/main.js): `[data-player-played]` shows the played share,
    `[data-player-mark][data-at]` sits at its moment, and seeks there and plays when pressed."""

    name: str
    render: Callable[[HttpRequest, Followup], str]
    order: int = 100


# Who the queue leaves out for a user: the IDs of followups they are done with.
QueueExclusion = Callable[[AbstractBaseUser], set[str]]
# A region above the queue's calls (the calls that came in since it was opened): its HTML.
QueueRegion = Callable[[HttpRequest], str]
# A region above the followups list's rows, for the list's filters: its HTML.
ListRegion = Callable[[HttpRequest, "ListFilters"], str]


@dataclass(frozen=True)
class ListAction:
    """A button under the followups list that POSTs the IDs of the rows a user ticked
    (`followup_id`, repeated; the rows with a recording have a box) to the URL named
    `url_name`; that view answers with a message and a redirect back to the list (`next`).
    Offered to the users `permitted` says."""

    name: str
    label: str
    url_name: str
    permitted: Callable[[AbstractBaseUser], bool]


@dataclass(frozen=True)
class QueueOrder:
    """Another order of the review queue (`/queue/?order=<name>`), built by the app that owns
    it from the dashboard's own rows; `render` answers the queue's page in that order and keeps
    its order in the session's queue snapshot, so that "Next in queue" follows it."""

    name: str
    label: str
    render: Callable[[HttpRequest], HttpResponse]


# Where words that are not a followup ID are searched for a user: a URL, or None when that
# user may not search them.
WordsSearch = Callable[[AbstractBaseUser, str], str | None]

_detail_panels: dict[str, DetailPanel] = {}
_seek_bar_layers: dict[str, SeekBarLayer] = {}
_queue_exclusions: dict[str, QueueExclusion] = {}
_words_searches: dict[str, WordsSearch] = {}
_queue_orders: dict[str, QueueOrder] = {}
_queue_regions: dict[str, QueueRegion] = {}
_list_regions: dict[str, ListRegion] = {}
_list_actions: dict[str, ListAction] = {}


def detail_panel_register(*, panel: DetailPanel) -> None:
    """Add `panel` to every followup's page (registering the same name again replaces it, so
    a reloaded app does not show its panel twice)."""
    _detail_panels[panel.name] = panel


def queue_exclusion_register(*, name: str, exclusion: QueueExclusion) -> None:
    """Leave out of a user's queue the followups `exclusion` returns for them."""
    _queue_exclusions[name] = exclusion


def queue_order_register(*, order: QueueOrder) -> None:
    """Offer `order` on the review queue's page."""
    _queue_orders[order.name] = order


def queue_orders() -> list[QueueOrder]:
    return list(_queue_orders.values())


def queue_order_get(*, name: str) -> QueueOrder | None:
    return _queue_orders.get(name)


def words_search_register(*, name: str, search: WordsSearch) -> None:
    """Send words typed in the header's box that are not an ID to `search`'s page."""
    _words_searches[name] = search


def words_search_url(*, user: AbstractBaseUser, text: str) -> str | None:
    """The first registered search page that takes `text` for `user`, or None."""
    for search in _words_searches.values():
        url = search(user, text)
        if url:
            return url
    return None


def detail_panels_render(
    *, request: HttpRequest, followup: Followup, column: PanelColumn
) -> list[SafeString]:
    """The HTML of the registered panels of `column`, in order, without the empty ones."""
    panels = sorted(
        (p for p in _detail_panels.values() if p.column == column), key=lambda p: p.order
    )
    rendered = (panel.render(request, followup) for panel in panels)
    # The apps render their panels with Django's templates, which escape what they show.
    return [mark_safe(html) for html in rendered if html.strip()]  # noqa: S308


def seek_bar_layer_register(*, layer: SeekBarLayer) -> None:
    """Draw `layer` on the seek bar of every followup's player (the same name replaces it)."""
    _seek_bar_layers[layer.name] = layer


def seek_bar_layers_render(*, request: HttpRequest, followup: Followup) -> list[SafeString]:
    """The HTML of the registered seek bar layers, in order, without the empty ones."""
    layers = sorted(_seek_bar_layers.values(), key=lambda layer: layer.order)
    rendered = (layer.render(request, followup) for layer in layers)
    # Rendered by their apps with Django's templates, which escape what they show.
    return [mark_safe(html) for html in rendered if html.strip()]  # noqa: S308


def page_memo(request: HttpRequest, key: str, compute: Callable[[], Memoized]) -> Memoized:
    """What several panels of one page read (the tracker results that one panel lists and
    another shows as evidence): computed by the first panel that asks, kept on the request
    for the others, so the page reads it once. `key` names the value and its owner."""
    memo: dict[str, Any] = request.__dict__.setdefault("_page_memo", {})
    if key not in memo:
        memo[key] = compute()
    return cast(Memoized, memo[key])


def queue_excluded_ids(*, user: AbstractBaseUser) -> set[str]:
    """The followups every registered app leaves out of `user`'s queue."""
    excluded: set[str] = set()
    for exclusion in _queue_exclusions.values():
        excluded |= exclusion(user)
    return excluded


def queue_region_register(*, name: str, render: QueueRegion) -> None:
    """Show `render`'s HTML above the first part of the review queue's calls."""
    _queue_regions[name] = render


def queue_regions_render(*, request: HttpRequest) -> list[SafeString]:
    """The HTML of the registered queue regions, without the empty ones."""
    rendered = (render(request) for render in _queue_regions.values())
    # Rendered by their apps with Django's templates, which escape what they show.
    return [mark_safe(html) for html in rendered if html.strip()]  # noqa: S308


def list_region_register(*, name: str, render: ListRegion) -> None:
    """Show `render`'s HTML above the rows of the followups list."""
    _list_regions[name] = render


def list_regions_render(*, request: HttpRequest, filters: ListFilters) -> list[SafeString]:
    """The HTML of the registered list regions for `filters`, without the empty ones."""
    rendered = (render(request, filters) for render in _list_regions.values())
    # Rendered by their apps with Django's templates, which escape what they show.
    return [mark_safe(html) for html in rendered if html.strip()]  # noqa: S308


def list_action_register(*, action: ListAction) -> None:
    """Offer `action` on the followups list's ticked rows."""
    _list_actions[action.name] = action


def list_actions_for(*, user: AbstractBaseUser) -> list[ListAction]:
    """The list actions `user` may take."""
    return [action for action in _list_actions.values() if action.permitted(user)]
