"""A pasted ID with a character no GetBill ID has glued inside it is refused, not cut."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from followups import services
from followups.getbill import InvalidIdError, getbill_id_clean, id_glued_character

ASCII_IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{4,30}[0-9]", fullmatch=True)
# Characters that read as part of the ID, or not at all: Cyrillic and Greek look-alikes,
# invisible characters, full-width digits and letters.
GLUED = st.sampled_from(
    [
        "\u0430",  # Cyrillic a
        "\u0435",  # Cyrillic e
        "\u043e",  # Cyrillic o
        "\u0441",  # Cyrillic c
        "\u03bf",  # Greek omicron
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # BOM
        "\u00ad",  # soft hyphen
        "\uff11",  # fullwidth 1
        "\uff41",  # fullwidth a
        "\u0661",  # Arabic-Indic 1
    ]
)


@given(ASCII_IDS, GLUED, st.data())
@example("abc123def456", "\u0430", None)
def test_a_glued_character_is_refused_naming_it(raw_id: str, glued: str, data) -> None:
    at = 1 if data is None else data.draw(st.integers(min_value=1, max_value=len(raw_id) - 1))
    pasted = raw_id[:at] + glued + raw_id[at:]
    for text in (
        pasted,
        f"Hi, can you check {pasted} for me?",
        f"https://app.getbill.io/followups/{pasted}",
    ):
        with pytest.raises(InvalidIdError) as raised:
            services.followup_id_from_text(text=text)
        assert f"U+{ord(glued):04X}" in raised.value.user_message
    with pytest.raises(InvalidIdError, match=f"U\\+{ord(glued):04X}"):
        getbill_id_clean(raw=pasted)


@given(ASCII_IDS)
def test_an_id_alone_or_in_prose_with_other_scripts_is_read(raw_id: str) -> None:
    assert id_glued_character(text=raw_id) is None
    for text in (
        raw_id,
        f"Référence : {raw_id}",
        f"Numéro {raw_id}, merci",
        f"\u200b{raw_id}\u200b",
    ):
        assert services.followup_id_from_text(text=text) == raw_id
