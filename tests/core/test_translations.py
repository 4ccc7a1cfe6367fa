"""Every string the portal shows has its Simplified Chinese text."""

import re
from pathlib import Path

from django.conf import settings

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(
    r'^(#, [^\n]*\n)?(?:#[^\n]*\n)*msgid ((?:"[^\n]*"\n)+)(?:msgid_plural (?:"[^\n]*"\n)+)?msgstr(?:\[0\])? ((?:"[^\n]*"\n?)+)',
    re.M,
)


def joined(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted))


def test_translations_every_message_has_chinese_text():
    entries = ENTRY.findall(PO_FILE.read_text(encoding="utf-8") + "\n")
    messages = [(flags, joined(msgid), joined(msgstr)) for flags, msgid, msgstr in entries if joined(msgid)]

    assert len(messages) > 200
    untranslated = [msgid for _flags, msgid, msgstr in messages if not msgstr]
    fuzzy = [msgid for flags, msgid, _msgstr in messages if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []
