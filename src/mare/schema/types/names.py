"""Person and organisation names: script, Latin form, comparison tokens and phonetic keys.

`normalise_person_name` returns:

* ``value``: the comparison form: ASCII, casefolded, punctuation removed, whitespace collapsed,
  tokens in the order written (a ``FAMILY, Given`` name keeps that order here). Arabic-script
  articles appear as a separate ``al`` word, so ``محمد الحسن`` and ``Muhammad al-Hasan`` both
  give ``muhammad al hasan``.
* ``extra["script"]``: ``Latin``, ``Arabic``, ``Persian`` (Arabic script with one of پ چ ژ گ ک ی,
  or ``ctx.language`` fa/prs/ps), ``Cyrillic``, ``Ethiopic``, ``Greek``, another Unicode script
  name (``Han``, ``Armenian``...), ``mixed`` (several scripts) or ``Unknown``.
* ``extra["latin"]``: a readable Latin form in given-family order: Latin text as written (all-caps
  words title-cased, honorifics such as "Mr" dropped); Cyrillic, Greek, Armenian and Georgian by
  rigour's transliteration (``Иван Петров`` -> ``Ivan Petrov``); Ethiopic by ICU's
  ``Amharic-Latin/BGN``; Arabic and Persian by a table of ~250 common names in their usual
  English spelling (``محمد`` -> ``Muhammad``, Persian ``Mohammad``), compounds of two known names
  (``محمدرضا`` -> ``Mohammadreza``) and ICU ``Any-Latin`` (a consonant skeleton, as Arabic script
  omits short vowels) for the rest; other scripts by ICU ``Any-Latin``.
* ``extra["tokens"]``: the name parts, ASCII casefolded, sorted so that word order does not
  matter (``ALI, Hasan`` == ``Hasan Ali``). Rules:

  - Arabic article: ``al-``/``el-``/``ul-``/``il-`` and the assimilated forms (``ad-Din``,
    ``ar-Rahman``, ``as-``, ``ash-``, ``at-``, ``az-``, ``an-``) before a hyphen, a standalone
    ``al``/``el`` (unless the name is only two words starting with it, as in "Al Pacino") and the
    prefix ``ال`` in Arabic script are removed: ``al-Hasan``, ``Al Hasan``, ``الحسن`` -> ``hasan``.
    Joined spellings (``Alhassan``) are left whole.
  - ``abd`` compounds are split: ``Abdulrahman``, ``Abd al-Rahman``, ``Abdel Rahman``,
    ``Abdul Rahman``, ``Abdirahman``, ``عبدالرحمن`` -> ``abd`` + ``rahman``;
    ``Abdullah``/``Abdallah``/``عبدالله`` -> ``abd`` + ``allah`` (``Abdoulaye`` stays whole).
    ``abd``, ``abu``, ``bin``/``ben``/``ibn``, ``bint``, ``umm``, ``ould`` stay as tokens: they
    carry lineage.
  - Hyphenated names split into parts (``Jean-Pierre`` -> ``jean``, ``pierre``); apostrophes
    are dropped inside words (``O'Brien`` -> ``obrien``, ``Sa'id`` -> ``said``).
* ``extra["phonetic"]``: one consonant-skeleton key per token (same order as ``tokens``): vowels
  (and non-initial y/w) dropped, doubled letters merged, kh/gh/sh/ch/sch/th/dh/ph/zh/dj and c/q/x
  folded; Arabic-script tokens are keyed from their letters (long vowels ا و ي dropped, ع and
  hamza dropped, emphatic letters folded onto their plain ones). So Mohammed, Muhammad, Mohamad,
  Mohamed and محمد share ``mhmd``; Hassan/Hasan/حسن ``hsn``; Youssef/Yusuf/Yousef/يوسف ``ysf``.
  The key is deliberately loose (Hasan and Husayn share it too): it is for blocking candidate
  pairs, not for deciding matches.
* ``extra["key"]``: the sorted tokens joined by a space.

Flags: ``family_first`` (a ``FAMILY, Given`` comma form was read), ``transliterated`` (the Latin
form is a machine transliteration), ``digits`` (the name contains digits).

Failures (``value=None``): ``empty``, ``no letters``, ``only digits`` and texts over 500
characters (``too long``: refused rather than cut, as a cut name would silently mismatch).

`normalise_organisation_name` gives the same ``value``/``script``/``latin``/``tokens``/``key``
with company legal forms folded by rigour (``Aktiengesellschaft`` -> ``ag``) and listed in
``extra["org_types"]``; token order is kept (organisation names are not reordered).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from mare.schema.types.result import EMPTY_CONTEXT, NormaliseContext, Normalised, failed

__all__ = ["normalise_organisation_name", "normalise_person_name", "phonetic_key"]

MAX_NAME_LENGTH = 500

# ---------------------------------------------------------------------------------------------
# Cleaning

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")  # whitespace ones stay
_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u0640]")
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_CHARS = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_PERSIAN_LETTERS = frozenset("پچژگکی")
_PERSIAN_LANGS = frozenset({"fa", "prs", "ps"})
_SEPARATORS = re.compile(r"[\s,;:/\\|()\[\]{}<>\"“”„«»!?*#+=~^_.…·•،؛]+")
_APOSTROPHES = re.compile("['’‘`´ʿʾʻʼ]")
_HYPHENS = re.compile("[-‐‑‒–—]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _clean(text: str) -> str:
    """Drop surrogates and invisible characters, NFKC, collapse whitespace."""
    text = _SURROGATES.sub("", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def _why_no_name(text: str) -> str | None:
    """A failure reason for text that holds no name, or None."""
    if not text:
        return "empty"
    if any(c.isalpha() for c in text):
        return None
    if any(c.isdigit() for c in text) and all(c.isdigit() or not c.isalnum() for c in text):
        compact = "".join(c for c in text if c.isalnum())
        if compact.isdigit():
            return "only digits"
    return "no letters"


# ---------------------------------------------------------------------------------------------
# Arabic script


_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ک": "ك",
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
    }
)


def _fold_arabic(token: str) -> str:
    """Arabic letters folded for lookup: no tashkeel, one alef, one yeh, ta marbuta as heh."""
    return _TASHKEEL.sub("", token).translate(_ARABIC_FOLD)


# Common names, Arabic spelling -> usual English spelling. Keys are folded by `_fold_arabic`.
_ARABIC_NAMES_TEXT = """
محمد Muhammad|أحمد Ahmad|محمود Mahmoud|مصطفى Mustafa|علي Ali|حسن Hasan|حسين Hussein|حسان Hassan
عمر Omar|عثمان Othman|خالد Khalid|يوسف Yusuf|إبراهيم Ibrahim|إسماعيل Ismail|عبد Abd|الله Allah
رحمن Rahman|رحيم Rahim|كريم Karim|عزيز Aziz|قادر Qadir|مجيد Majid|حميد Hamid|سلام Salam
ناصر Nasser|جمال Jamal|كمال Kamal|فاطمة Fatima|عائشة Aisha|مريم Maryam|زينب Zainab
خديجة Khadija|نور Nour|سارة Sara|ليلى Layla|أمينة Amina|هدى Huda|سعيد Said|سعد Saad
سليمان Sulaiman|سليم Salim|سامي Sami|صالح Salih|طارق Tariq|عادل Adel|عماد Imad|فيصل Faisal
فارس Faris|ماجد Majid|مالك Malik|منصور Mansour|مراد Murad|نبيل Nabil|هشام Hisham|وليد Walid
ياسين Yasin|يحيى Yahya|يونس Yunus|موسى Musa|عيسى Isa|داود Dawood|زكريا Zakariya|إلياس Ilyas
أنس Anas|أيمن Ayman|أسامة Usama|بلال Bilal|جعفر Jafar|حمزة Hamza|حيدر Haidar|رامي Rami
رضا Rida|زياد Ziad|سمير Samir|شريف Sharif|عباس Abbas|عرفان Irfan|غسان Ghassan|فراس Firas
قاسم Qasim|لؤي Louay|مازن Mazen|مهدي Mahdi|نادر Nader|نزار Nizar|هاني Hani|هيثم Haitham
وائل Wael|ياسر Yasser|حسام Hussam|عمار Ammar|عامر Amer|أمير Amir|أكرم Akram|أشرف Ashraf
جواد Jawad|رسول Rasul|رشيد Rashid|زيد Zaid|سيد Sayed|شاكر Shakir|صابر Sabir|ضياء Diya
عدنان Adnan|علاء Alaa|عصام Issam|فؤاد Fouad|كامل Kamil|محسن Mohsen|مجاهد Mujahid|نعيم Naim
هادي Hadi|وسيم Wasim|ياسمين Yasmin|دين Din|نصر Nasr|بكر Bakr|أبو Abu|بن bin|ابن ibn|بنت bint
أم Umm|جبريل Jibril|إدريس Idris|آدم Adam|نوح Nuh|صلاح Salah|فتحي Fathi|رمضان Ramadan
شعبان Shaban|حاج Hajj|شيخ Sheikh|منير Munir|توفيق Tawfiq|رياض Riyad|ربيع Rabie|جميل Jamil
جمعة Juma|خليل Khalil|خليفة Khalifa|راشد Rashid|سالم Salem|سلطان Sultan|سلمان Salman
طلال Talal|عارف Aref|عبيد Obaid|عوض Awad|غازي Ghazi|فهد Fahd|قيس Qais|لطفي Lutfi|مأمون Mamoun
مبارك Mubarak|مختار Mukhtar|مرتضى Murtada|مسعود Masoud|معاذ Muadh|مهند Muhannad|موفق Muwaffaq
ناجي Naji|نجيب Najib|نعمان Numan|هارون Harun|هلال Hilal|وحيد Wahid|وهاب Wahhab|يعقوب Yaqub
إيمان Iman|أسماء Asma|بشرى Bushra|حليمة Halima|حنان Hanan|رانيا Rania|رقية Ruqayya|رنا Rana
زهرة Zahra|سعاد Suad|سلمى Salma|سمية Sumaya|سناء Sanaa|شيماء Shaima|صفية Safiya|عبير Abir
فرح Farah|لينا Lina|منى Mona|نادية Nadia|نجلاء Najla|هالة Hala|هبة Hiba|وفاء Wafaa|آمنة Amina
رحمة Rahma|جنة Janna|غادة Ghada|دعاء Doaa|آية Aya|ملك Malak|شهد Shahd|جود Joud|تسنيم Tasnim
رهف Rahaf|بيان Bayan|روان Rawan|أمل Amal|نوال Nawal|حياة Hayat|نسرين Nasrin|كوثر Kawthar
زهراء Zahraa|العلي Alali|الأحمد Alahmad|قريشي Qureshi|هاشمي Hashemi|حسيني Husseini|عثماني Othmani
خان Khan|شاه Shah|جان Jan|گل Gul|ملا Mullah|نصير Nasir|صديق Siddiq|فاروق Farouk|حبيب Habib
لطيف Latif|ظاهر Zahir|باقر Baqir|صادق Sadiq|كاظم Kazim|تقي Taqi|نقي Naqi|عسكري Askari
زاهر Zaher|بشير Bashir|نذير Nazir|قدير Qadeer|جليل Jalil|شفيق Shafiq|رفيق Rafiq|وحيدي Wahidi
مصري Masri|شامي Shami|حلبي Halabi|بغدادي Baghdadi|تونسي Tounsi|ليبي Libi|سوري Suri
أفغاني Afghani|كردي Kurdi|تركي Turki|عربي Arabi|زهراني Zahrani|عتيبي Otaibi|شمري Shammari
دوسري Dossari|قحطاني Qahtani|حربي Harbi|مطيري Mutairi|عنزي Anazi|جبوري Jabouri|دليمي Dulaimi
"""

# Persian/Dari spellings where they differ from the Arabic ones (used for Persian-script text).
_PERSIAN_NAMES_TEXT = """
محمد Mohammad|احمد Ahmad|محمود Mahmoud|حسین Hossein|حسن Hassan|علی Ali|رضا Reza|مهدی Mehdi
یوسف Yousef|ابراهیم Ebrahim|اسماعیل Esmail|جواد Javad|قاسم Ghasem|صادق Sadegh|جعفر Jafar
فاطمه Fatemeh|زهرا Zahra|مریم Maryam|زینب Zeinab|معصومه Masoumeh|سکینه Sakineh|طاهره Tahereh
پهلوی Pahlavi|حسینی Hosseini|محمدی Mohammadi|احمدی Ahmadi|رضایی Rezaei|کریمی Karimi
جعفری Jafari|موسوی Mousavi|حیدری Heidari|رحیمی Rahimi|قاسمی Ghasemi|صادقی Sadeghi
امیر Amir|سعید Saeed|مجید Majid|حمید Hamid|وحید Vahid|داوود Davood|داود Davood|عباس Abbas
کریم Karim|نوری Nouri|اکبر Akbar|اصغر Asghar|علیرضا Alireza|امیرحسین Amirhossein
محمدرضا Mohammadreza|محمدعلی Mohammadali|حمیدرضا Hamidreza|غلام Gholam|رحمان Rahman
رحمت Rahmat|نصرت Nosrat|عزت Ezzat|شیرین Shirin|پروین Parvin|پریسا Parisa|نسرین Nasrin
فرشته Fereshteh|لیلا Leila|سارا Sara|نرگس Narges|مینا Mina|بهرام Bahram|بهروز Behrouz
داریوش Dariush|کوروش Kourosh|فرهاد Farhad|فرید Farid|جمشید Jamshid|شهرام Shahram
مسعود Masoud|منصور Mansour|ناصر Naser|نادر Nader|یعقوب Yaghoub|عثمان Osman|عمر Omar
خان Khan|شاه Shah|جان Jan|گل Gul|ملا Mullah|زاده Zadeh|پور Pour|نیا Nia|بیگ Baig
احمدزی Ahmadzai|یوسفزی Yousafzai|کرزی Karzai|غنی Ghani|حکمتیار Hekmatyar|مسعودی Masoudi
شریف Sharif|نظری Nazari|رسولی Rasouli|صدیقی Siddiqi|هاشمی Hashemi|قربانی Ghorbani
"""


def _parse_names(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.strip().splitlines():
        for pair in line.split("|"):
            arabic, _, latin = pair.strip().partition(" ")
            if arabic and latin:
                out.setdefault(_fold_arabic(arabic), latin)
    return out


_ARABIC_NAMES: dict[str, str] = _parse_names(_ARABIC_NAMES_TEXT)
_PERSIAN_NAMES: dict[str, str] = {**_ARABIC_NAMES, **_parse_names(_PERSIAN_NAMES_TEXT)}

_ARABIC_SKELETON = str.maketrans(
    {
        "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d",
        "ر": "r", "ز": "z", "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
        "ع": "", "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n",
        "ه": "h", "و": "", "ي": "", "ا": "", "ء": "", "پ": "p", "چ": "s", "ژ": "j",
        "گ": "g", "ڤ": "v", "ڨ": "g", "ڭ": "g", "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n",
        "ھ": "h", "ہ": "h", "ے": "",
    }
)  # fmt: skip
_DUPLICATES = re.compile(r"(.)\1+")


# Persian pronounces these as z, s and gh: key them as Latin spellings of Persian names do.
_PERSIAN_V = re.compile("و(?=[اي])")
_PERSIAN_SKELETON = str.maketrans({"ض": "z", "ظ": "z", "ذ": "z", "ث": "s", "ص": "s", "ق": "g"})


def _arabic_skeleton(folded: str, persian: bool = False) -> str:
    """Consonant skeleton of a folded Arabic-script token."""
    letters = _DUPLICATES.sub(r"\1", folded)
    if len(letters) > 1 and letters[-1] == "ه":
        letters = letters[:-1]  # final heh / ta marbuta: a vowel ending
    head = {"و": "v" if persian else "w", "ي": "y"}.get(letters[:1], "")
    body = letters[1:] if head else letters
    if persian:  # Persian و before a long vowel is the consonant v (Pahlavi, Mousavi)
        body = _PERSIAN_V.sub("v", body).translate(_PERSIAN_SKELETON)
    return head + body.translate(_ARABIC_SKELETON)


# ---------------------------------------------------------------------------------------------
# Latin phonetic key

_DIGRAPHS = [
    (re.compile(p), r)
    for p, r in (
        ("sch", "s"),
        ("ch", "s"),
        ("sh", "s"),
        ("kh", "k"),
        ("gh", "g"),
        ("zh", "j"),
        ("dj", "j"),
        ("th", "t"),
        ("dh", "d"),
        ("ph", "f"),
        ("ck", "k"),
        ("c(?=[eiy])", "s"),
        ("[cq]", "k"),
        ("x", "ks"),
    )
]
_VOWELS = frozenset("aeiou")
_SILENT = frozenset("aeiouyw")


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """Consonant-skeleton key of one ASCII casefolded name token (see the module docstring)."""
    s = _DUPLICATES.sub(r"\1", token)
    for pattern, repl in _DIGRAPHS:
        s = pattern.sub(repl, s)
    if len(s) > 1 and s[-1] == "h" and s[-2] in _VOWELS:
        s = s[:-1]
    if not s:
        return ""
    head = "" if s[0] in _VOWELS else s[0]
    key = head + "".join(c for c in s[1:] if c not in _SILENT)
    return key or token[:1]


# ---------------------------------------------------------------------------------------------
# Transliteration

_TRANSLITERATORS: dict[str, Any] = {}
_TRANSFORMS = {
    "Arabic": "Any-Latin; Latin-ASCII",
    "Persian": "Persian-Latin/BGN; Any-Latin; Latin-ASCII",
    "Ethiopic": "Amharic-Latin/BGN; Any-Latin; Latin-ASCII",
    "Any": "Any-Latin; Latin-ASCII",
}


def _transliterate(text: str, transform: str) -> str:
    """Transliterate with a cached ICU transliterator; '' if ICU fails."""
    translit: Any = _TRANSLITERATORS.get(transform)
    if translit is None:
        try:
            import icu

            translit = icu.Transliterator.createInstance(_TRANSFORMS[transform])
        except Exception:  # ICU missing or the transform unknown: fall back to normality
            translit = False
        _TRANSLITERATORS[transform] = translit
    try:
        if translit:
            return str(translit.transliterate(text))
        from normality import ascii_text

        return ascii_text(text) or ""
    except Exception:
        return ""


def _ascii(text: str) -> str:
    """ASCII, casefolded, letters and digits only."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        if not text.isascii():
            from rigour.text.translit import ascii_text

            text = ascii_text(text)
    return _NOT_ALNUM.sub("", _APOSTROPHES.sub("", text).casefold())


def _capitalise(text: str) -> str:
    for i, c in enumerate(text):
        if c.isalpha():
            return text[:i] + c.upper() + text[i + 1 :]
    return text


def _scripts(text: str) -> set[str]:
    from rigour.text.scripts import text_scripts

    try:
        return set(text_scripts(text))
    except Exception:  # defensive: rigour's Rust core rejects some code points
        return {"Unknown"}


# ---------------------------------------------------------------------------------------------
# Tokens

# One analysed name part: display (Latin, for extra["latin"]), ascii (comparison token), key
# (phonetic), keep (False: an article or honorific, not a token), written (its share of `value`).
_Part = tuple[str, str, str, bool, str]

_ARTICLE_WORDS = frozenset({"al", "el", "ul", "il"})
_SUN_ARTICLES = {
    "ad": "d", "ud": "d", "ed": "d", "ar": "r", "ur": "r", "er": "r", "as": "s", "us": "s",
    "es": "s", "ash": "sh", "ush": "sh", "esh": "sh", "at": "t", "ut": "t", "et": "t",
    "az": "z", "uz": "z", "ez": "z", "an": "n", "un": "n", "en": "n", "adh": "dh", "ath": "th",
}  # fmt: skip
_ALLAH = frozenset({"abdullah", "abdallah", "abdellah", "abdulla", "abdalla", "abdella"})
_CONNECTORS = ("ou", "u", "e", "a", "i", "o")
# "abd" + article written apart from the next word ("Abdul Rahman", "Abdus Salam")
_ABD_ARTICLE = frozenset(
    {"abdul", "abdel", "abdal", "abdoul", "abdol", "abdil", "abdur", "abdus", "abdun", "abduz"}
)


def _is_article(part: str, following: str) -> bool:
    low = part.casefold()
    if low in _ARTICLE_WORDS:
        return True
    need = _SUN_ARTICLES.get(low)
    return need is not None and following.casefold().startswith(need)


def _split_abd(ascii_token: str) -> list[str]:
    """Split abd compounds: abdulrahman -> abd rahman, abdullah -> abd allah."""
    if ascii_token in _ALLAH:
        return ["abd", "allah"]
    if ascii_token in _ABD_ARTICLE:
        return ["abd"]
    if not ascii_token.startswith("abd") or len(ascii_token) < 7:
        return [ascii_token]
    rest = ascii_token[3:]
    for connector in _CONNECTORS:
        if rest.startswith(connector):
            rest = rest[len(connector) :]
            break
    if rest.startswith("l"):  # abd-ul-rahman; abdoulaye is a name of its own
        if len(rest) <= 4:
            return [ascii_token]
        rest = rest[1:]
    elif len(rest) > 2 and rest[0] == rest[1]:  # abd-ur-rahman
        rest = rest[1:]
    return ["abd", rest] if len(rest) >= 4 else [ascii_token]


@lru_cache(maxsize=65536)
def _arabic_parts(token: str, persian: bool) -> tuple[_Part, ...]:
    """Analyse one Arabic-script word into name parts."""
    folded = _fold_arabic(token)
    names = _PERSIAN_NAMES if persian else _ARABIC_NAMES
    pieces: list[tuple[str, bool]] = []  # (folded piece, article before it)
    if folded == "ال":
        return (("al", "al", "", False, "al"),)
    if folded.startswith("عبد") and len(folded) > 3 and folded not in names:
        rest = folded[3:]
        article = rest.startswith("ال") and rest != "الله" and len(rest) > 3
        pieces = [("عبد", False), (rest[2:] if article else rest, article)]
    elif folded.startswith("ال") and len(folded) > 3 and folded not in names:
        pieces = [(folded[2:], True)]
    else:
        pieces = [(folded, False)]
    out: list[_Part] = []
    for piece, article in pieces:
        if piece == "الله":
            display, article = "Allah", False
        else:
            display = names.get(piece) or _compound(piece, names) or ""
        if not display:
            raw = _transliterate(piece, "Persian" if persian else "Arabic")
            display = _capitalise(raw) if raw else ""
        ascii_form = _ascii(display)
        if not ascii_form:
            continue
        if article:
            out.append(("al", "al", "", False, "al"))
        key = _arabic_skeleton(piece, persian) or ascii_form[:1]
        out.append((display, ascii_form, key, True, ascii_form))
    return tuple(out)


def _compound(folded: str, names: dict[str, str]) -> str | None:
    """Latin form of a word written as two known names joined (محمدرضا -> Mohammadreza)."""
    for i in range(2, len(folded) - 1):
        head, tail = names.get(folded[:i]), names.get(folded[i:])
        if head and tail:
            return head + tail.lower()
    return None


@lru_cache(maxsize=65536)
def _other_parts(token: str) -> tuple[_Part, ...]:
    """Analyse one non-Arabic word (Latin or another script) into name parts."""
    if token.isascii():
        display = token
    else:
        scripts = _scripts(token)
        if not scripts or scripts <= {"Latin", "Cyrillic", "Greek", "Armenian", "Georgian"}:
            from rigour.text.translit import maybe_ascii

            display = token if scripts <= {"Latin"} else maybe_ascii(token)
        elif scripts == {"Ethiopic"}:
            display = _capitalise(_transliterate(token, "Ethiopic"))
        else:
            display = _capitalise(_transliterate(token, "Any"))
    subparts = [p for p in _HYPHENS.split(display) if p]
    out: list[_Part] = []
    for i, sub in enumerate(subparts):
        following = subparts[i + 1] if i + 1 < len(subparts) else ""
        if following and _is_article(sub, following):
            out.append((sub, "al", "", False, _ascii(sub)))
            continue
        words = [w for w in sub.split() if w]  # ICU output of dense scripts holds spaces
        for word in words:
            ascii_form = _ascii(word)
            if not ascii_form:
                continue
            pieces = _split_abd(ascii_form)
            for j, piece in enumerate(pieces):
                written = ascii_form if j == 0 else ""
                out.append((word, piece, phonetic_key(piece), True, written))
    return tuple(out)


def _word_parts(word: str, persian: bool) -> tuple[_Part, ...]:
    if _ARABIC_CHARS.search(word):
        return _arabic_parts(word, persian)
    return _other_parts(word)


# ---------------------------------------------------------------------------------------------
# Whole names


def _script_label(text: str, language: str | None) -> str:
    scripts = _scripts(text)
    if not scripts:
        return "Unknown"
    if len(scripts) > 1:
        return "mixed"
    (script,) = scripts
    if script == "Arabic" and (language in _PERSIAN_LANGS or _PERSIAN_LETTERS & set(text)):
        return "Persian"
    return script


def _natural_order(text: str) -> tuple[str, bool]:
    """Given-family order for a 'FAMILY, Given' name; True when it was reordered."""
    for comma in (",", "،"):
        if text.count(comma) == 1:
            family, given = (p.strip() for p in text.split(comma))
            if family and given:
                return f"{given} {family}", True
    return text, False


def _remove_honorifics(text: str) -> str:
    from rigour.names.prefix import remove_person_prefixes

    try:
        stripped = remove_person_prefixes(text)
    except Exception:
        return text
    return stripped if stripped.strip() else text


def _display_word(word: str) -> str:
    return word.title() if word.isupper() and len(word) > 1 else word


def _drop_standalone_articles(parts: list[list[_Part]], raw_words: list[str]) -> None:
    """Mark standalone 'al'/'el' words as articles (except a two-word name led by one)."""
    for i, word in enumerate(raw_words):
        if word.casefold() not in _ARTICLE_WORDS or i + 1 >= len(raw_words):
            continue
        if i == 0 and len(raw_words) < 3:
            continue
        parts[i] = [(p[0], "al", "", False, p[4]) for p in parts[i]]


_NameResult = tuple[
    str | None, str | None, tuple[str, ...], tuple[tuple[str, Any], ...]
]  # value, reason, flags, extra


def _analyse_words(text: str, persian: bool) -> tuple[list[list[_Part]], list[str]]:
    raw_words = [w for w in _SEPARATORS.split(text) if w]
    parts = [list(_word_parts(_APOSTROPHES.sub("", w), persian)) for w in raw_words]
    return parts, raw_words


def _latin_display(parts: list[list[_Part]], raw_words: list[str]) -> str:
    words: list[str] = []
    pending_article = False
    for word_parts, raw in zip(parts, raw_words, strict=True):
        if not word_parts:
            continue
        if raw.isascii() or _scripts(raw) <= {"Latin"}:
            words.append(_display_word(raw))
            pending_article = False
            continue
        shown: list[str] = []
        for display, _, _, keep, _ in word_parts:
            if not keep:
                pending_article = True
                continue
            shown.append(f"al-{display}" if pending_article else display)
            pending_article = False
        if shown:
            words.append(" ".join(shown))
    return " ".join(words)


@lru_cache(maxsize=65536)
def _person(text: str, language: str | None) -> _NameResult:
    reason = _why_no_name(text)
    if reason:
        return None, reason, (), ()
    script = _script_label(text, language)
    persian = script == "Persian" or language in _PERSIAN_LANGS
    flags: list[str] = []
    natural, reordered = _natural_order(text)
    if reordered:
        flags.append("family_first")
    if any(map(str.isdigit, text)):  # as `c.isdigit()` per character, without a Python loop
        flags.append("digits")
    if script not in ("Latin", "Unknown"):
        flags.append("transliterated")

    # value: the text as written, in written order, without honorifics
    honorable = script in ("Latin", "mixed")
    written = _remove_honorifics(text) if honorable else text
    written_parts, written_words = _analyse_words(written, persian)
    value = " ".join(p[4] for word in written_parts for p in word if p[4])
    if not value:
        return None, "no letters that can be written in Latin", tuple(flags), (("script", script),)

    # tokens and display: natural order, honorifics and articles removed
    # not reordered: the natural text is the text, already stripped and analysed above
    natural = (_remove_honorifics(natural) if reordered else written) if honorable else natural
    if natural == written:  # a copy: articles are marked in `parts` (the fallback reads written_parts)
        parts, raw_words = list(written_parts), written_words
    else:
        parts, raw_words = _analyse_words(natural, persian)
    _drop_standalone_articles(parts, raw_words)
    kept = sorted((p[1], p[2]) for word in parts for p in word if p[3])
    if not kept:  # only articles or honorifics: keep what was written
        kept = sorted((p[1], phonetic_key(p[1])) for word in written_parts for p in word)
    tokens = tuple(t for t, _ in kept)
    extra = (
        ("script", script),
        ("latin", _latin_display(parts, raw_words)),
        ("tokens", tokens),
        ("phonetic", tuple(k for _, k in kept)),
        ("key", " ".join(tokens)),
    )
    return value, None, tuple(flags), extra


def _precheck(text: str) -> tuple[str | None, str | None]:
    """(cleaned text, None) or (None, failure reason)."""
    if len(text) > MAX_NAME_LENGTH:
        return None, f"too long: {len(text)} characters (names are at most {MAX_NAME_LENGTH})"
    cleaned = _clean(text)
    if len(cleaned) > MAX_NAME_LENGTH:
        return None, f"too long: {len(cleaned)} characters (names are at most {MAX_NAME_LENGTH})"
    return cleaned, None


def _result(text: str, result: _NameResult) -> Normalised:
    value, reason, flags, extra = result
    if value is None:
        return Normalised(text, None, reason or "not a name", flags, dict(extra))
    return Normalised(text, value, None, flags, dict(extra))


def normalise_person_name(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a person's name to ASCII comparison form, sorted tokens and phonetic keys."""
    if not isinstance(text, str):
        return failed(str(text), "not a string")
    cleaned, reason = _precheck(text)
    if cleaned is None:
        return failed(text, reason or "not a name")
    try:
        return _result(text, _person(cleaned, ctx.language))
    except Exception as exc:  # a normaliser never raises; keep the cause for the reason
        return failed(text, f"could not normalise name: {type(exc).__name__}")


# ---------------------------------------------------------------------------------------------
# Organisations


@lru_cache(maxsize=65536)
def _organisation(text: str, language: str | None) -> _NameResult:
    reason = _why_no_name(text)
    if reason:
        return None, reason, (), ()
    script = _script_label(text, language)
    persian = script == "Persian" or language in _PERSIAN_LANGS
    parts, raw_words = _analyse_words(text, persian)
    ascii_words = [p[4] for word in parts for p in word if p[4]]
    if not ascii_words:
        return None, "no letters that can be written in Latin", (), (("script", script),)
    plain = " ".join(ascii_words)
    org_types: tuple[str, ...] = ()
    value = plain
    try:
        from rigour.names.org_types import extract_org_types, replace_org_types_compare

        org_types = tuple(dict.fromkeys(t for _, t in extract_org_types(plain)))
        value = " ".join(_NOT_ALNUM.sub(" ", replace_org_types_compare(plain)).split()) or plain
    except Exception:
        org_types = ()
    tokens = tuple(value.split())
    flags = ("transliterated",) if script not in ("Latin", "Unknown") else ()
    latin = " ".join(
        raw if raw.isascii() else " ".join(p[0] for p in word)
        for word, raw in zip(parts, raw_words, strict=True)
        if word
    )
    extra = (
        ("script", script),
        ("latin", latin),
        ("tokens", tokens),
        ("key", " ".join(sorted(tokens))),
        ("org_types", org_types),
    )
    return value, None, flags, extra


def normalise_organisation_name(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise an organisation's name to ASCII comparison form with legal forms folded."""
    if not isinstance(text, str):
        return failed(str(text), "not a string")
    cleaned, reason = _precheck(text)
    if cleaned is None:
        return failed(text, reason or "not a name")
    try:
        return _result(text, _organisation(cleaned, ctx.language))
    except Exception as exc:  # a normaliser never raises
        return failed(text, f"could not normalise organisation name: {type(exc).__name__}")
