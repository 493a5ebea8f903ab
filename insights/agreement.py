"""How far reviewers agree when they answer the same calls: Krippendorff's alpha for nominal
data.

Why alpha: it takes any number of reviewers per call, a different number on each, and missing
answers, so "not applicable" is treated as no answer at all (a reviewer who found a criterion
not applicable neither agrees nor disagrees with one who answered it); and it corrects for
the agreement chance alone would give, which a plain share agreeing does not. Nominal, because
yes and no are categories, not amounts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from itertools import permutations


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Alpha over `units` (one per call and criterion), each the values its reviewers gave, None
    for missing. Units with fewer than two values are left out (they cannot be compared).

    1 is perfect agreement, 0 what chance gives, below 0 systematic disagreement; None when
    nothing is comparable or every value is the same (alpha is undefined without variation).
    """
    coincidences: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = [value for value in unit if value is not None]
        paired = len(values)
        if paired < 2:
            continue
        for first, second in permutations(values, 2):
            pair = (first, second)
            coincidences[pair] = coincidences.get(pair, 0.0) + 1 / (paired - 1)
    totals: dict[Hashable, float] = {}
    for (first, _second), weight in coincidences.items():
        totals[first] = totals.get(first, 0.0) + weight
    pairable = sum(totals.values())
    if pairable <= 1:
        return None
    disagreeing = sum(w for (first, second), w in coincidences.items() if first != second)
    # Pairs of differing values that chance would give, from how often each value was used.
    chance_disagreeing = pairable**2 - sum(count**2 for count in totals.values())
    if chance_disagreeing <= 0:
        return None
    return 1 - (pairable - 1) * disagreeing / chance_disagreeing
