"""Short news-style sentences for the entity tests, written for them.

Real actors appear under the names the gazetteer knows; the people of the coreference
tests (Tamara Velichko, Zhang Wenhao, ...) are invented, so only the document can say who
they are.
"""

PUTIN_FORMS = (
    "Russian President Vladimir Putin arrived in Beijing on Thursday. Mr Putin was met at "
    "the airport. Mr. Putin then drove to the talks, and Putin\u2019s aides said the "
    "meeting would last three hours."
)

USHAKOV_SPELLINGS = (
    "Kremlin aide Yury Ushakov said a joint statement was ready. Yuri Ushakov added that "
    "the two leaders would sign it on Friday."
)

XI_FORMS = (
    "Chinese President Xi Jinping will host the talks. Xi has met his Russian counterpart "
    "more than 30 times."
)

TITLES = (
    "Foreign Minister Sergey Lavrov met Turkish President Recep Tayyip Erdogan in Ankara. "
    "The President and the Foreign Minister spoke for an hour, the aide said. Mr Lavrov "
    "left first."
)

KYIV_SPELLINGS = (
    "Officials in Kyiv rejected the plan. Kiev has asked for guarantees, and Washington "
    "said it would listen."
)

ERDOGAN = "Erdogan said Turkey would host the next round. Erdogan spoke after prayers."

METONYMS = (
    "Moscow and Beijing signed the statement. The Kremlin said the text was final, and a "
    "Kremlin spokesman added that the Kremlin's position had not changed."
)

SURNAME = (
    "Tamara Velichko, the mayor of the river town, spoke to reporters. Velichko said the "
    "bridge would reopen in May."
)

CHINESE_NAME = (
    "Zhang Wenhao, a trade official, arrived on Monday. Zhang told reporters the tariffs "
    "would stay."
)

TWO_ZHANGS = (
    "Zhang Wenhao and Zhang Lifen led the two delegations. Zhang said the talks had gone well."
)

LONGER_NAME_AROUND_ALIAS = "Melania Trump opened the exhibition on Tuesday."

CASE = (
    "The UN said the Russian foreign ministry had been told. Tell us what the US wants, "
    "one diplomat said."
)
