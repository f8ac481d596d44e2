"""The French and Spanish catalogues are complete: nothing untranslated, nothing fuzzy.

Each .po file is read with a small parser (no extra dependency), so that a
failure names the exact message. Python-format placeholders must be the same
in a translation as in the English text, or the page would fail or lose a value.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["fr", "es"]

# %(name)s, %s, %d ... but not the escaped %%.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-+ #0]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
ESCAPE = re.compile(r"\\(.)")
UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Message:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def describe(self) -> str:
        context = f" [{self.msgctxt}]" if self.msgctxt else ""
        return f"line {self.line}{context}: {self.msgid!r}"


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return ESCAPE.sub(lambda m: UNESCAPE.get(m.group(1), m.group(1)), text[1:-1])


def read_catalogue(path: Path) -> list[Message]:
    """Every live message of a .po file; obsolete (#~) entries are skipped."""
    messages: list[Message] = []
    current: Message | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        if current is not None and (current.msgid or current.msgstr):
            messages.append(current)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and target is not None and target[0] == "msgstr":
                finish()
                current, target = None, None
            if current is None:
                current = Message(line=number)
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}"
            value = _unquote(line)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        if keyword in ("msgctxt", "msgid") and (
            current is None or (target is not None and target[0] == "msgstr")
        ):
            finish()
            current = Message(line=number)
        assert current is not None, f"{path}:{number}"
        if keyword == "msgctxt":
            current.msgctxt, target = _unquote(rest), ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, target = _unquote(rest), ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
            assert match, f"{path}:{number}: {line}"
            index = int(match.group(1) or 0)
            current.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {line!r}")
    finish()
    return messages


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def catalogue(language: str) -> list[Message]:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"missing catalogue {path}"
    return [m for m in read_catalogue(path) if m.msgid]  # the header has an empty msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_message(language: str) -> None:
    messages = catalogue(language)
    assert len(messages) > 100
    untranslated = [m.describe() for m in messages if not all(m.msgstr.values()) or not m.msgstr]
    assert not untranslated, f"{language}: untranslated:\n" + "\n".join(untranslated)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_fuzzy_message(language: str) -> None:
    fuzzy = [m.describe() for m in catalogue(language) if "fuzzy" in m.flags]
    assert not fuzzy, f"{language}: fuzzy:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_both_forms(language: str) -> None:
    wrong = [
        m.describe()
        for m in catalogue(language)
        if m.msgid_plural is not None and sorted(m.msgstr) != [0, 1]
    ]
    assert not wrong, f"{language}: plural forms missing:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = []
    for m in catalogue(language):
        if "python-format" not in m.flags:
            continue
        singular, plural = placeholders(m.msgid), placeholders(m.msgid_plural or m.msgid)
        for index, text in m.msgstr.items():
            found = placeholders(text)
            # A form may follow the singular or the plural English text.
            expected = (singular, plural) if index == 0 else (plural,)
            if m.msgid_plural is None:
                expected = (singular,)
            if found not in expected and set(found) not in [set(e) for e in expected]:
                wrong.append(f"{m.describe()} -> msgstr[{index}] {text!r}")
    assert not wrong, f"{language}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_leading_and_trailing_newlines(language: str) -> None:
    def ends(text: str) -> tuple[bool, bool]:
        return text.startswith("\n"), text.endswith("\n")

    wrong = [
        m.describe()
        for m in catalogue(language)
        for text in m.msgstr.values()
        if text and ends(text) != ends(m.msgid)
    ]
    assert not wrong, f"{language}: newlines differ:\n" + "\n".join(wrong)


def test_the_parser_reads_what_it_must_catch(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour %(nom)s"\n\n'
        'msgid "Two"\nmsgid_plural "Twos"\nmsgstr[0] "Deux"\nmsgstr[1] ""\n\n'
        'msgctxt "verb"\nmsgid "Return"\nmsgstr ""\n"Reto"\n"urner"\n\n'
        '#~ msgid "Old"\n#~ msgstr "Vieux"\n',
        encoding="utf-8",
    )
    messages = [m for m in read_catalogue(po) if m.msgid]
    assert [m.msgid for m in messages] == ["Hello %(name)s", "Two", "Return"]
    hello, two, verb = messages
    assert "fuzzy" in hello.flags and "python-format" in hello.flags
    assert placeholders(hello.msgid) != placeholders(hello.msgstr[0])
    assert two.msgstr == {0: "Deux", 1: ""}
    assert verb.msgctxt == "verb" and verb.msgstr[0] == "Retourner"
    assert placeholders("100%% sure, %s and %(n)d") == Counter({"%s": 1, "%(n)d": 1})


ROOT = LOCALE.parents[1]
# Literal messages in code and templates: _("…"), gettext_lazy("…"), {% translate "…" %}.
_PY_LITERAL = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|pgettext_lazy)\(\s*"((?:[^"\\\n]|\\.)+)"\s*[,)]"""
)
_TEMPLATE_LITERAL = re.compile(r"""\{%\s*translate\s+"([^"]+)"\s*(?:as \w+\s*)?%\}""")


def _source_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "retorno").rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in _PY_LITERAL.finditer(path.read_text(encoding="utf-8")):
            text = ESCAPE.sub(lambda m: UNESCAPE.get(m.group(1), m.group(1)), match.group(1))
            found.setdefault(text, str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for match in _TEMPLATE_LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_is_in_the_catalogue(language: str) -> None:
    """A message marked in the code but missing from a catalogue shows in English.

    This happens when a string is added without running makemessages; the
    messages found here by pattern are the literal ones, most of the interface.
    """
    catalogue = {m.msgid for m in read_catalogue(LOCALE / language / "LC_MESSAGES" / "django.po")}
    missing = {text: where for text, where in _source_messages().items() if text not in catalogue}
    assert not missing, "\n".join(f"{where}: {text!r}" for text, where in sorted(missing.items()))


def test_the_source_scan_finds_messages() -> None:
    messages = _source_messages()
    assert "Unknown partner." in messages and "Case closed" in messages
