"""Every string the portal shows has its Simplified Chinese text, in the catalogue and in the compiled file."""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = CATALOGUE / "django.po"
MO_FILE = CATALOGUE / "django.mo"

# Where the portal's own strings live (what `makemessages --ignore=.venv` reads).
SOURCE_DIRS = ("apps", "deeds_portal")
TEMPLATE_DIRS = ("templates",)
GETTEXT_FUNCTIONS = frozenset({"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"})
# {% translate "…" %} / {% trans '…' %}; {% blocktranslate %} bodies are left to the .po checks below.
TRANSLATE_TAG = re.compile(r"""\{%\s*(?:trans|translate)\s+(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class PoEntry:
    msgid: str
    msgstrs: list[str]
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0


def unquote(text: str) -> str:
    """A .po string's text, its escapes undone."""
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda match: escapes.get(match.group(1), match.group(0)), text)


def read_po(path: Path) -> list[PoEntry]:
    """The live (not obsolete) entries of a .po file, header left out."""
    entries: list[PoEntry] = []
    flags: set[str] = set()
    fields: dict[str, list[str]] = {}
    current: str | None = None
    start = 0

    def finish() -> None:
        nonlocal flags, fields, current
        if "msgid" in fields:
            msgid = "".join(fields["msgid"])
            strs = [key for key in fields if key.startswith("msgstr")]
            entry = PoEntry(
                msgid=msgid,
                msgstrs=["".join(fields[key]) for key in sorted(strs)],
                msgctxt="".join(fields["msgctxt"]) if "msgctxt" in fields else None,
                msgid_plural="".join(fields["msgid_plural"]) if "msgid_plural" in fields else None,
                flags=flags,
                line=start,
            )
            if msgid:  # the header has an empty msgid
                entries.append(entry)
        flags, fields, current = set(), {}, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue  # an obsolete entry: gettext ignores it
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert current is not None, f"{path.name}:{number}: a string outside an entry"
            fields[current].append(unquote(line[1:-1]))
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword == "msgctxt" or (keyword == "msgid" and fields.get("msgid") is not None):
                finish()
            if not fields:
                start = number
            current = keyword
            fields[current] = [unquote(rest.strip()[1:-1])]
    finish()
    return entries


def source_messages() -> dict[str, str]:
    """Every literal message the portal's Python code and templates mark for translation → where it is."""
    found: dict[str, str] = {}
    for directory in SOURCE_DIRS:
        for path in sorted((BASE_DIR / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                    continue
                if node.func.id in GETTEXT_FUNCTIONS and isinstance(node.args[0], ast.Constant):
                    found.setdefault(node.args[0].value, f"{path.relative_to(BASE_DIR)}:{node.lineno}")
    for directory in TEMPLATE_DIRS:
        for path in sorted((BASE_DIR / directory).rglob("*.html")):
            for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
                text = match.group(1) if match.group(1) is not None else match.group(2)
                found.setdefault(unquote(text), str(path.relative_to(BASE_DIR)))
    return found


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    return read_po(PO_FILE)


def test_translations_catalogue_has_chinese_for_every_entry(po_entries):
    # then: no empty text, no entry waiting for a translator's review (gettext ignores fuzzy ones)
    assert len(po_entries) > 200
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in po_entries if not all(e.msgstrs)]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in po_entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_catalogue_holds_each_message_once(po_entries):
    # msgfmt refuses a file with a message defined twice, so an appended duplicate breaks compilemessages
    seen: dict[tuple[str | None, str], int] = {}
    twice = []
    for entry in po_entries:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            twice.append(f"{entry.msgid!r} (lines {seen[key]} and {entry.line})")
        seen.setdefault(key, entry.line)
    assert twice == []


def test_translations_every_message_in_the_source_is_in_the_catalogue(po_entries):
    # given
    catalogue = {entry.msgid for entry in po_entries if entry.msgctxt is None}

    # when
    in_source = source_messages()

    # then: a string marked for translation but missing from the .po would show in English
    assert len(in_source) > 200
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in in_source.items() if msgid not in catalogue)
    assert missing == []


def test_translations_compiled_catalogue_matches_the_po_file(po_entries):
    # given: the file Django reads (written by `make setup` / compilemessages)
    assert MO_FILE.exists(), "locale/zh_Hans/LC_MESSAGES/django.mo is missing: run `make setup`"
    with MO_FILE.open("rb") as compiled:
        mo = gnu_gettext.GNUTranslations(compiled)

    # then: every entry of the .po is compiled with the same text (a stale .mo shows English)
    stale = []
    for entry in po_entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        # the raw catalogue, without gettext's fallback to the English text; plural texts are keyed by their form
        compiled_text = mo._catalog.get(key if entry.msgid_plural is None else (key, 0))
        if compiled_text != entry.msgstrs[0]:
            stale.append(f"line {entry.line}: {entry.msgid!r}")
    assert stale == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Draft", "草稿"),
        ("Closed", "已销号"),
        ("Livelihood plan", "民生实事计划"),
        ("Service list", "为民办事清单"),
        ("Individual party member", "党员个人"),
        ("My items", "我的事项"),
        ("You cannot edit this item in its current state.", "该事项当前状态下不可编辑。"),
        (
            "“%(action)s” is not possible while the item is “%(status)s”.",
            "事项处于“%(status)s”状态，不能“%(action)s”。",
        ),
    ],
)
def test_translations_known_strings_are_chinese_at_run_time(english, chinese):
    # when: Django's own lookup, as every page does
    with translation.override("zh-hans"):
        shown = translation.gettext(english)

    # then
    assert shown == chinese
    assert CJK.search(shown)


def test_translations_reader_finds_fuzzy_empty_and_escaped_entries(tmp_path):
    # given: a catalogue with the flags after the references, as makemessages writes them
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: apps/a.py:1\n#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "你好 %(name)s"\n\n'
        '#: apps/b.py:2\nmsgid ""\n"Say \\"hi\\"\\n"\n"twice"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "已删"\n',
        encoding="utf-8",
    )

    # when
    entries = read_po(po)

    # then
    assert [(e.msgid, e.msgstrs, "fuzzy" in e.flags) for e in entries] == [
        ("Hello %(name)s", ["你好 %(name)s"], True),
        ('Say "hi"\ntwice', [""], False),
    ]
    assert source_messages()["You cannot see this item."].startswith("apps/items/services.py:")


# Format placeholders and addresses keep their ASCII signs; at run time a placeholder holds Chinese text.
KEPT_AS_WRITTEN = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdfi]|\{\w*\}|https?://\S+")
# A Chinese character or full-width punctuation (“”‘’ among them), or a placeholder standing for Chinese text.
CHINESE_SIDE = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d\x00]"
ASCII_NEXT_TO_CHINESE = re.compile(rf"{CHINESE_SIDE}[,:;()]|[,:;()]{CHINESE_SIDE}")
# Justified exceptions: msgid → why its Chinese text keeps an ASCII sign next to Chinese (none today).
ASCII_PUNCTUATION_ALLOWED: dict[str, str] = {
    # The argument of Django's `yesno` filter: its ASCII comma separates the words and is never shown.
    "yes,no": "是,否",
}


def ascii_punctuation_next_to_chinese(text: str) -> list[str]:
    """The places where `text` puts an ASCII , : ; ( ) right beside Chinese text (placeholders count as Chinese)."""
    marked = KEPT_AS_WRITTEN.sub("\x00", text)
    return [match.group().replace("\x00", "…") for match in ASCII_NEXT_TO_CHINESE.finditer(marked)]


def test_translations_chinese_text_uses_full_width_punctuation(po_entries):
    # then: Chinese text reads ，：；（） — ASCII signs stay only inside placeholders, addresses and English text
    mixed = [
        f"line {entry.line}: {entry.msgid!r} → {places}"
        for entry in po_entries
        for text in entry.msgstrs
        if text != ASCII_PUNCTUATION_ALLOWED.get(entry.msgid)
        and CJK.search(text)
        and (places := ascii_punctuation_next_to_chinese(text))
    ]
    assert mixed == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("没有类别数据,请先运行", ["据,"]),
        ("%(unit)s %(kind)s(%(start)s 至 %(end)s)", ["…(", "…)"]),
        ("演示账号(每个角色一个):", ["号(", "个)"]),
        ("%(unit)s %(kind)s（%(start)s 至 %(end)s）", []),
        ("参数 %(parameter)s 只能取以下值之一：%(allowed)s。", []),
        ("%(count)s 项，用时 %(seconds).1f 秒", []),
        ("详见 https://example.org/a,b(c) 。", []),
        ("Report (weekly), 1:2", []),
    ],
)
def test_translations_punctuation_check_finds_ascii_signs_beside_chinese(text, found):
    assert ascii_punctuation_next_to_chinese(text) == found


# Chinese in the code that is not Chinese text: a pattern matching either kind of bracket.
CODE_LITERALS_ALLOWED: dict[str, str] = {
    "[\\s*＊]|[（(]必填[)）]": "a pattern matching “（必填）” written with either kind of bracket",
}
ASCII_LETTER = re.compile(r"[A-Za-z]")


def is_chinese_text(text: str) -> bool:
    """More Chinese characters than English letters: English help quoting a Chinese value keeps English signs."""
    words = KEPT_AS_WRITTEN.sub("", text)
    return len(CJK.findall(words)) > len(ASCII_LETTER.findall(words))


def chinese_literals_in_code() -> dict[str, str]:
    """Every string constant of the portal's Python code holding Chinese → where it is; docstrings left out."""
    found: dict[str, str] = {}
    for directory in SOURCE_DIRS:
        for path in sorted((BASE_DIR / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and ast.get_docstring(node, clean=False) is not None
            }
            for node in ast.walk(tree):
                literal = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                if literal and CJK.search(node.value):
                    found.setdefault(node.value, f"{path.relative_to(BASE_DIR)}:{node.lineno}")
    return found


def test_translations_chinese_in_the_code_uses_full_width_punctuation():
    # given: the Chinese the code writes itself (the demo's titles and notes, ledger headers, sheet names)
    literals = chinese_literals_in_code()
    assert len(literals) > 50

    # then
    mixed = [
        f"{where}: {text!r} → {places}"
        for text, where in literals.items()
        if is_chinese_text(text)
        and text not in CODE_LITERALS_ALLOWED
        and (places := ascii_punctuation_next_to_chinese(text))
    ]
    assert mixed == []


@pytest.mark.parametrize(
    ("text", "chinese"),
    [("佐证材料不全,请补充完工验收照片", True), ("是 or 否; empty means 否.", False), ("{place}群众诉求", True)],
)
def test_translations_code_check_tells_chinese_text_from_english_quoting_chinese(text, chinese):
    assert is_chinese_text(text) is chinese
