"""What an election on the ballot elects, in words (DOMAIN §5): one list, separate lists, or a run-off among tied
candidates. The announcement and the paper ballot print it in Chinese (`in_chinese`); pages in the reader's language."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app.voting.models import Matter


def election_places_words(matter: Matter) -> str:
    """ "应选委员 7 名，候补委员不超过 3 名" and its kin."""
    seats, alternates = matter.seats or 0, matter.max_alternates or 0
    if matter.runoff is not None:
        if seats == 0 and alternates >= len(matter.candidates):
            return _("Run-off among tied alternates: it decides the order in which they fill vacancies")
        return _(
            "Run-off among tied candidates: %(seats)d member seats and %(alternates)d alternate places",
            seats=seats,
            alternates=alternates,
        )
    if matter.list_part == "alternates":
        return _("Alternates' list: %(n)d alternates to elect", n=alternates)
    if matter.list_part == "members":
        return _("Members' list: %(n)d members to elect", n=seats)
    return _("Members to elect: %(seats)d; alternates at most: %(alternates)d", seats=seats, alternates=alternates)


def in_chinese(matter: Matter) -> str:
    with force_locale("zh"):
        return election_places_words(matter)
