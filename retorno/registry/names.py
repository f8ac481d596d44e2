"""Name normalisation and phonetic keys for finding the same person again.

Officers at an arrival desk type names as they hear them, and the same name is
written many ways across alphabets and languages: Mohamed, Muhammad, Mouhamed;
Youssef, Yusuf, Jussuf; Nguyễn, Nguyen. The key keeps what survives
transliteration (the consonant skeleton, with sounds that are spelled in
several ways folded together) and drops what does not (vowels, doubled
letters, silent h, accents).
"""

import re
import unicodedata

from unidecode import unidecode

_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
# Spellings of one sound, longest first so that "sch" wins over "ch".
_DIGRAPHS = (
    ("sch", "s"),
    ("tch", "s"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("kh", "k"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "s"),
    ("dj", "j"),
    ("ck", "k"),
    ("qu", "k"),
    ("ou", "u"),
)
_LETTERS = str.maketrans({"c": "k", "q": "k", "x": "k", "z": "s", "j": "y", "w": "b", "v": "b"})
_VOWELS = set("aeiouy")
# Particles that many cultures place between names; they carry no identity.
_PARTICLES = frozenset(
    {"de", "da", "del", "la", "le", "dos", "das", "do", "van", "von", "el", "al", "bin", "ben", "y"}
)


def normalise(text: str) -> str:
    """Return the name in lower-case ASCII letters and single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = unidecode(text).lower().replace("-", " ").replace("'", "")
    return _SPACES.sub(" ", _NON_LETTERS.sub(" ", text)).strip()


def tokens(text: str) -> list[str]:
    """Return the meaningful words of a name."""
    words = normalise(text).split()
    kept = [w for w in words if w not in _PARTICLES and len(w) > 1]
    return kept or words


def skeleton(word: str) -> str:
    """Return the phonetic key of one normalised word."""
    if not word:
        return ""
    for spelling, sound in _DIGRAPHS:
        word = word.replace(spelling, sound)
    word = word.translate(_LETTERS)
    first = "a" if word[0] in _VOWELS else word[0]
    rest = [ch for ch in word[1:] if ch not in _VOWELS and ch != "h"]
    out = [first]
    for ch in rest:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)[:40]


def name_keys(*names: str) -> set[str]:
    """Return the keys of every word of every given name (aliases included)."""
    keys: set[str] = set()
    for name in names:
        for word in tokens(name):
            key = skeleton(word)
            if len(key) >= 2 or (key and len(word) <= 3):
                keys.add(key)
    return keys
