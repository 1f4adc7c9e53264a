"""Match a typed district name (English, Hinglish or Devanagari, with typos) to a district.

Every name is reduced to a *phonetic key* in plain Latin letters:

1. Devanagari is transliterated with a small rule table (nukta dropped, anusvara and
   chandrabindu read as a nasal, inherent vowel deleted at word end and in the
   vowel-consonant-[a]-consonant-vowel position, compounds split before -नगर/-पुर/-गंज/...).
2. Latin spellings are folded: ``ph→f``, ``z→j``, ``q→k``, ``w→v``, ``ck/c→k``, the ``h`` of
   aspirates dropped (``kh→k``, ``dh→d``, ``sh→s`` ...), long vowels shortened
   (``aa/ee/oo``), ``ow/aw/ou→au``, doubled letters collapsed, a word-final ``h`` after a
   vowel dropped.

So "Lucknow", "Lakhnau", "Lucknaw", "लखनऊ" and "लखनउ" all land on (nearly) the same key.
The index keeps the keys of every district's English name, Hindi name, code and aliases
(spaces removed) and is built once. An exact key that names a single district wins
outright. Otherwise the input is compared with :func:`rapidfuzz.fuzz.ratio` against every
key, as a whole and sub-phrase by sub-phrase (a sub-phrase pays for the part of the input
it leaves out), and a name typed only in part ("Sant Kabir", "Ambedkar") scores by how much
of the name it covers. Common filler words ("mera jila Lucknow hai", "जिला लखनऊ") are
dropped first. A district is returned only when it scores at least ``CONFIDENT_SCORE`` and
beats every other district by ``CONFIDENT_MARGIN``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.reference import District, districts, get_district

__all__ = [
    "CANDIDATE_SCORE",
    "CONFIDENT_SCORE",
    "DistrictMatch",
    "match_district",
    "phonetic_key",
    "phonetic_keys",
    "transliterate_devanagari",
]

#: Score (0-100) at or above which a single clear winner is returned as ``district``.
CONFIDENT_SCORE = 86.0
#: The winner must beat the runner-up district by at least this much (unless exact).
CONFIDENT_MARGIN = 6.0
#: Below this score a district is not offered as a candidate at all.
CANDIDATE_SCORE = 62.0

_MAX_INPUT_CHARS = 60
# Inputs shorter than this (in folded letters) are only accepted on an exact key.
_MIN_FUZZY_LENGTH = 4
# An input at least this long that starts a name scores from _PREFIX_BASE (a tiny part of
# the name) to 100 (all of it).
_MIN_PREFIX_LENGTH = 5
_PREFIX_BASE = 86.0
_MAX_TOKENS = 6
# A sub-phrase of the input loses up to this many points for the part of the input it
# leaves out (proportionally), so "kanpur dehet" prefers Kanpur Dehat over alias "Kanpur".
_PARTIAL_PENALTY = 35.0

# Words people put around a district name; ignored when they are not the whole input.
_STOPWORDS = frozenset(
    """
    district distt dist dt zila zilla jila jilla janpad jnpd city shahar sheher
    up uttar pradesh india bharat
    mera meri mere mai main mein me hu hun hoon hai hain se ka ki ke ko aur
    my is the i am from in live living of and near
    जिला जिले ज़िला ज़िले जनपद शहर उत्तर प्रदेश उ प्र यूपी भारत मेरा मेरी मेरे मैं में हूँ हूं है हैं से का की के को और
    """.split()
)

# Parts of many names; an input made only of these is never a confident match.
_GENERIC_WORDS = ("nagar", "nagr", "pur", "ganj", "abad", "bad", "garh", "gadh", "sahar", "sant",
                  "नगर", "पुर", "गंज", "बाद", "गढ़", "शहर", "संत")  # fmt: skip


# --------------------------------------------------------------------------- transliteration

_NUKTA = "\u093c"
_VIRAMA = "\u094d"
_ANUSVARA = "\u0902"
_CHANDRABINDU = "\u0901"
_VISARGA = "\u0903"

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "ळ": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
}  # fmt: skip
_VOWEL_SIGNS = {
    "ा": "aa", "ि": "i", "ी": "ii", "ु": "u", "ू": "uu", "ृ": "ri", "ॄ": "ri",
    "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ॅ": "e", "ॉ": "o", "ॆ": "e", "ॊ": "o",
}  # fmt: skip
_VOWELS = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ii", "उ": "u", "ऊ": "uu", "ऋ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e", "ऎ": "e", "ऒ": "o",
}  # fmt: skip
_LABIALS = frozenset("पफबभम")
_HAS_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
# Second halves of compounds: the stem before them is transliterated as its own word.
_COMPOUND_SUFFIXES = ("नगर", "पुर", "गंज", "बाद", "गढ", "शहर")


@dataclass(slots=True)
class _Syllable:
    consonant: str  # Latin consonant(s) ("" for an independent vowel)
    vowel: str  # Latin vowel ("" after virama or once deleted)
    inherent: bool  # the vowel is the inherent "a" (a candidate for deletion)
    cluster: bool = False  # a conjunct (two or more consonants joined by virama)
    keeps_schwa: bool = False  # conjuncts ending in र/य keep their "a": मित्र, सोनभद्र
    nasal: str = ""  # "n"/"m" from anusvara or chandrabindu, "h" from visarga


def _syllables(word: str) -> list[_Syllable]:
    result: list[_Syllable] = []
    pending = ""  # Latin for consonants joined by virama so far
    i = 0
    while i < len(word):
        ch = word[i]
        if ch in _CONSONANTS:
            latin = _CONSONANTS[ch]
            if ch == "ज" and word[i + 1 : i + 3] == _VIRAMA + "ञ":
                latin = "gy"  # ज्ञ is read "gy" (ज्ञानपुर = Gyanpur)
                i += 2
            nxt = word[i + 1] if i + 1 < len(word) else ""
            if nxt == _VIRAMA:
                pending += latin
                i += 2
                continue
            cluster = bool(pending)
            keeps = cluster and ch in "रय"
            if nxt in _VOWEL_SIGNS:
                result.append(_Syllable(pending + latin, _VOWEL_SIGNS[nxt], False, cluster, keeps))
                i += 2
            else:
                result.append(_Syllable(pending + latin, "a", True, cluster, keeps))
                i += 1
            pending = ""
            continue
        if pending:  # a dangling half consonant (word-final virama)
            result.append(_Syllable(pending, "", False, True))
            pending = ""
        if ch in _VOWELS:
            result.append(_Syllable("", _VOWELS[ch], False))
        elif ch in (_ANUSVARA, _CHANDRABINDU):
            if result:
                following = word[i + 1 : i + 2]
                result[-1].nasal = "m" if following in _LABIALS else "n"
        elif ch == _VISARGA:
            if result:
                result[-1].nasal = "h"
        # other marks (avagraha, stray vowel signs) are ignored
        i += 1
    if pending:
        result.append(_Syllable(pending, "", False, True))
    return result


def _deletable(s: _Syllable) -> bool:
    return s.inherent and bool(s.vowel) and bool(s.consonant) and not s.nasal and not s.keeps_schwa


def _delete_schwas(syl: list[_Syllable], *, right_to_left: bool = False) -> None:
    """Hindi schwa deletion: word-final, then V C [a] C V scanning in one direction.

    Neither direction is always right: left to right reads शाहजहाँ as "shaahjahaan",
    right to left reads गौतमबुद्ध as "gautambuddh". The matcher tries both. The schwa
    before a conjunct is kept (मुजफ्फर = "mujaphphar").
    """
    if len(syl) > 1 and _deletable(syl[-1]):
        syl[-1].vowel = ""
    positions = range(1, len(syl) - 1)
    for i in reversed(positions) if right_to_left else positions:
        s = syl[i]
        if not _deletable(s):
            continue
        prev, nxt = syl[i - 1], syl[i + 1]
        if prev.vowel and nxt.consonant and nxt.vowel and not nxt.cluster:
            s.vowel = ""


def _translit_word(word: str, right_to_left: bool) -> str:
    syl = _syllables(word)
    _delete_schwas(syl, right_to_left=right_to_left)
    return "".join(s.consonant + s.vowel + s.nasal for s in syl)


def _split_compound(word: str) -> list[str]:
    for suffix in _COMPOUND_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return [*_split_compound(word[: -len(suffix)]), suffix]
    return [word]


def transliterate_devanagari(text: str, *, right_to_left: bool = False) -> str:
    """Rough Devanagari → Latin reading for matching (not for display).

    Nukta is dropped (ज़ = ज), so "अलीगढ़" and "अलीगढ" read the same. Non-Devanagari
    characters are passed through. ``right_to_left`` picks the schwa-deletion direction.
    """
    text = unicodedata.normalize("NFD", text).replace(_NUKTA, "")
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u200c", "").replace("\u200d", "")
    out: list[str] = []
    for m in re.finditer(r"[\u0900-\u0963\u0971-\u097f]+|[^\u0900-\u0963\u0971-\u097f]+", text):
        chunk = m.group()
        if "\u0900" <= chunk[0] <= "\u097f" and not "\u0964" <= chunk[0] <= "\u0970":
            out.append(
                "".join(_translit_word(part, right_to_left) for part in _split_compound(chunk))
            )
        else:
            out.append(chunk)
    return "".join(out)


# --------------------------------------------------------------------------- folding

_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ph", "f"),
        (r"x", "ks"),
        (r"q", "k"),
        (r"z", "j"),
        (r"ck", "k"),
        (r"c(?!h)", "k"),
        (r"(?:aw|ow|ou)(?![aeiou])", "au"),
        (r"w", "v"),
        (r"chh", "ch"),
        (r"([kgjtdbpcrs])h", r"\1"),
        (r"ee|ii|ie", "i"),
        (r"iy(?=[aeiou])", "i"),
        (r"oo|uu", "u"),
        (r"aa", "a"),
        (r"(.)\1+", r"\1"),
        (r"(?<=[aeiou])h$", ""),
    )
)


def _fold_word(word: str) -> str:
    for pattern, replacement in _FOLDS:
        word = pattern.sub(replacement, word)
    return word


def _fold_latin(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch if "a" <= ch <= "z" else " " for ch in text if not unicodedata.combining(ch))
    return " ".join(_fold_word(w) for w in text.split())


def phonetic_keys(text: str) -> tuple[str, ...]:
    """The matching keys of a name in either script: folded Latin words separated by spaces.

    Latin text has one key; Devanagari text may have two (both schwa-deletion directions).
    """
    text = unicodedata.normalize("NFC", text).lower()
    keys = [_fold_latin(transliterate_devanagari(text))]
    if _HAS_DEVANAGARI.search(text):
        keys.append(_fold_latin(transliterate_devanagari(text, right_to_left=True)))
    return tuple(dict.fromkeys(keys))


def phonetic_key(text: str) -> str:
    """The main matching key of a name (see :func:`phonetic_keys`)."""
    return phonetic_keys(text)[0]


# --------------------------------------------------------------------------- index


@functools.cache
def _stop_keys() -> frozenset[str]:
    return frozenset(k for w in _STOPWORDS for k in phonetic_keys(w))


@functools.cache
def _generic_keys() -> frozenset[str]:
    return frozenset(k for w in _GENERIC_WORDS for k in phonetic_keys(w))


@dataclass(frozen=True, slots=True)
class _Index:
    keys: tuple[str, ...]  # space-free phonetic keys
    codes: tuple[str, ...]  # the district of each key
    exact: dict[str, frozenset[str]]  # key → districts with exactly that key


@functools.cache
def _index() -> _Index:
    pairs: dict[tuple[str, str], None] = {}
    for d in districts():
        for name in (d.name_en, d.name_hi, d.code.replace("_", " "), *d.aliases):
            for key in phonetic_keys(name):
                if key := key.replace(" ", ""):
                    pairs[(key, d.code)] = None
    exact: dict[str, set[str]] = {}
    for key, code in pairs:
        exact.setdefault(key, set()).add(code)
    return _Index(
        keys=tuple(k for k, _ in pairs),
        codes=tuple(c for _, c in pairs),
        exact={k: frozenset(v) for k, v in exact.items()},
    )


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class DistrictMatch:
    """Result of :func:`match_district`.

    ``district`` is set only for a confident, unambiguous match. ``candidates`` lists the
    plausible districts, best first (the matched district first when there is one), for
    "did you mean" buttons; it is empty when nothing is plausible. ``score`` is 0-100.
    """

    district: District | None
    candidates: tuple[District, ...]
    score: float


_NO_MATCH = DistrictMatch(None, (), 0.0)


def match_district(text: str, limit: int = 3) -> DistrictMatch:
    """Match typed text (any script, typos, old names) to a district."""
    if not isinstance(text, str) or limit < 1:
        return _NO_MATCH
    variants = [key.split() for key in phonetic_keys(text[:_MAX_INPUT_CHARS])]
    variants = [words for words in variants if words]
    if not variants:
        return _NO_MATCH
    index = _index()

    # Without filler words ("mera jila Lucknow hai" → "Lucknow"), unless nothing is left.
    stop = _stop_keys()
    stripped = [[w for w in words if w not in stop] or words for words in variants]

    # An exact key (name, Hindi name or alias) that names one district wins outright.
    for words in variants + stripped:
        codes = index.exact.get("".join(words), frozenset())
        if len(codes) == 1:
            (code,) = codes
            return DistrictMatch(get_district(code), _rank(index, stripped, limit, code), 100.0)
    variants = stripped

    scores = _scores(index, variants)
    if not scores:
        return _NO_MATCH
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best_code, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    candidates = tuple(
        d
        for code, score in ranked[:limit]
        if score >= CANDIDATE_SCORE and (d := get_district(code))
    )
    length = min(len("".join(words)) for words in variants)
    generic = _generic_keys()
    confident = (
        best_score >= CONFIDENT_SCORE
        and best_score - runner_up >= CONFIDENT_MARGIN
        and length >= _MIN_FUZZY_LENGTH
        and not all(w in generic for words in variants for w in words)
    )
    return DistrictMatch(
        get_district(best_code) if confident else None,
        candidates,
        round(best_score, 1),
    )


def _phrases(words: list[str]) -> list[tuple[str, int]]:
    """Contiguous sub-phrases (space-free) with their length in letters."""
    n = len(words)
    result = []
    for size in range(n, 0, -1):
        for start in range(n - size + 1):
            phrase = "".join(words[start : start + size])
            result.append((phrase, len(phrase)))
    return result


def _scores(index: _Index, variants: list[list[str]]) -> dict[str, float]:
    """Best score per district code over all key variants and sub-phrases."""
    best: dict[str, float] = {}
    for words in variants:
        words = words[:_MAX_TOKENS]
        total = sum(len(w) for w in words)
        if total < 3:
            continue  # two letters match too much by chance
        if total >= _MIN_PREFIX_LENGTH:
            # A name typed only in part ("Ambedkar", "Sant Kabir", "Gautam Buddh").
            whole = "".join(words)
            for key, code in zip(index.keys, index.codes, strict=True):
                if len(key) > total and key.startswith(whole):
                    value = _PREFIX_BASE + (100 - _PREFIX_BASE) * total / len(key)
                    if value > best.get(code, 0.0):
                        best[code] = value
        for phrase, length in _phrases(words):
            if length < 3:
                continue
            penalty = _PARTIAL_PENALTY * (1 - length / total)
            # A district under CANDIDATE_SCORE matters neither as candidate nor as rival.
            cutoff = CANDIDATE_SCORE + penalty
            if cutoff > 100:
                continue
            for _, score, i in process.extract(
                phrase, index.keys, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff
            ):
                code = index.codes[i]
                value = score - penalty
                if value > best.get(code, 0.0):
                    best[code] = value
    return best


def _rank(index: _Index, variants: list[list[str]], limit: int, code: str) -> tuple[District, ...]:
    """Candidates for an exact match: the match first, then close neighbours."""
    scores = _scores(index, variants)
    others = sorted(
        (kv for kv in scores.items() if kv[0] != code and kv[1] >= CANDIDATE_SCORE),
        key=lambda kv: (-kv[1], kv[0]),
    )
    codes = [code, *(c for c, _ in others)][:limit]
    return tuple(d for c in codes if (d := get_district(c)))
