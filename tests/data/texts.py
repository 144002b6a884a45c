"""Short news-style articles written for these tests (fictional people and events)."""

ARTICLE_ONE = """\
Ministers agree to reopen river talks in Geneva

Foreign ministers from the two upstream states agreed on Tuesday to reopen talks on \
sharing the waters of the Aral Basin, ending a pause of almost a year.

"We have a text that both sides can read without anger," Foreign Minister Elena Varga \
told reporters after a four-hour meeting at the Palais des Nations.

Her counterpart, Tomas Okafor, said the first round would deal with the summer flow \
agreed in 2019 and the data that each side shares about its dams.

Officials said that a technical committee would meet every month and report to the two \
ministers before the autumn session of the commission.

The talks broke down last spring when a dry season cut the river to a third of its usual \
volume and each side accused the other of holding back water.

"Nobody wins a drought," Okafor said. "We can only lose it together or get through it \
together."

Diplomats in Geneva described the mood as cautious but warmer than at any time since the \
dispute began. A date for the first round has not been set.
"""

ARTICLE_TWO = """\
Coastal states sign fisheries accord after night of bargaining

Delegates from eleven coastal states signed a fisheries accord early on Saturday after \
negotiations that ran through the night in Lisbon.

The accord sets catch limits for three species and creates a shared patrol fund that \
small island members had demanded for a decade.

According to the chair of the talks, Ines Moreau, the last dispute was over how patrol \
costs would be divided between the largest fleets.

"It is not perfect, but it is enforceable, and that is new," Moreau said as the delegates \
left the hall.

Environmental groups welcomed the limits but warned that the fund was too small to cover \
the ocean area it is meant to protect.

The accord enters into force once seven states have ratified it, which officials expect \
to happen within two years.
"""

ARTICLE_THREE = """\
Envoy warns of stalled grain corridor as winter nears

A senior envoy warned on Thursday that a grain corridor through the northern straits \
could close before winter unless insurers return to the route.

Yusuf Demir, who has led the talks since January, told a briefing in Ankara that \
shipping had fallen by half in the last two months.

"Ships are ready and the grain is ready. What is missing is a promise that the \
insurance will still hold when they are at sea," Demir said.

He said that three governments had offered to guarantee part of the cover, and that a \
fourth was expected to join next week.

Port officials said the queue of vessels waiting for inspection had grown to forty, the \
longest since the corridor opened.
"""

ARTICLE_FOUR = """\
Summit host promises open doors for observers

The host of next month's regional summit said on Monday that observers from civil \
society groups would be admitted to every plenary session.

The announcement followed complaints last year that side meetings had been closed to \
the press without notice.

"What is decided in the hall will be seen from the gallery," the summit spokesperson, \
Mara Lindqvist, said in a statement.

Organisers expect forty delegations and about two hundred accredited journalists.
"""


def reprint(text: str) -> str:
    """The same article as another outlet runs it: a new header and footer, one changed
    sentence, and everything else word for word."""
    lines = text.splitlines()
    lines[0] = "WORLD NEWS IN BRIEF"
    body = "\n".join(lines).replace(
        "A date for the first round has not been set.",
        "No date for the first round has been announced yet.",
    )
    return (
        body + "\nThis story was first published by a partner agency and is republished with "
        "permission.\n"
    )
