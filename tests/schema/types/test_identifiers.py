"""Tests for identifiers (src/mare/schema/types/identifiers.py)."""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mare.schema.types.identifiers import (
    imo_check_digit,
    mid_country,
    normalise_document_number,
    normalise_email,
    normalise_gender,
    normalise_handle,
    normalise_iban,
    normalise_imo,
    normalise_mmsi,
    normalise_plate,
)
from mare.schema.types.result import NormaliseContext, Normalised

DE = NormaliseContext(default_region="DE")

# --- e-mail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("  John.Doe@Example.COM ", "john.doe@example.com"),
        ("John Doe <john@x.org>", "john@x.org"),
        ("mailto:a@b.de?subject=hi", "a@b.de"),
        ("user+tag@gmail.com", "user+tag@gmail.com"),
        ("john [at] example [dot] com", "john@example.com"),
        ("john(at)example.com", "john@example.com"),
    ],
)
def test_email_ok(text: str, value: str) -> None:
    r = normalise_email(text)
    assert r.value == value, r.reason
    assert r.extra["domain"] == value.split("@")[1]


def test_email_idn_domain_to_punycode() -> None:
    r = normalise_email("User@München.de")
    assert r.value == "user@xn--mnchen-3ya.de"
    assert "idn" in r.flags


def test_email_deobfuscation_flagged() -> None:
    assert "deobfuscated" in normalise_email("john [at] example [dot] com").flags
    assert normalise_email("john@example.com").flags == ()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("john.example.com", "'@'"),
        ("a@b@c.de", "exactly one"),
        ("@x.de", "before"),
        ("x@", "after"),
        ("a..b@c.de", "dot"),
        (".a@c.de", "dot"),
        ("a b@c.de", "not allowed"),
        ("a@b", "top-level"),
        ("x@-bad.com", "invalid domain"),
        ("x@exa_mple.com", "invalid domain"),
        ("x@example.c0m", "top-level"),
        ("x@[1.2.3.4]", "IP-address"),
        ("a" * 65 + "@x.de", "64"),
    ],
)
def test_email_bad(text: str, fragment: str) -> None:
    r = normalise_email(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


# --- handles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("@user", "unknown:user"),
        ("user.name_1", "unknown:user.name_1"),
        ("telegram:@User", "telegram:user"),
        ("tg:User", "telegram:user"),
        ("https://t.me/User", "telegram:user"),
        ("t.me/s/User", "telegram:user"),
        ("tg://resolve?domain=SomeUser", "telegram:someuser"),
        ("facebook.com/some.name", "facebook:some.name"),
        ("https://www.facebook.com/profile.php?id=100012345", "facebook:100012345"),
        ("https://m.facebook.com/people/Some-Name/100087654321/", "facebook:100087654321"),
        ("instagram.com/x/", "instagram:x"),
        ("https://www.instagram.com/Some.User/?hl=en", "instagram:some.user"),
        ("tiktok.com/@x", "tiktok:x"),
        ("https://x.com/SomeOne/status/123", "twitter:someone"),
        ("twitter:@Jack", "twitter:jack"),
        ("https://www.youtube.com/@Chan", "youtube:chan"),
        ("snapchat.com/add/snapper", "snapchat:snapper"),
        ("wa.me/4915123456789", "whatsapp:+4915123456789"),
        ("https://api.whatsapp.com/send?phone=4915123456789", "whatsapp:+4915123456789"),
        ("whatsapp:+49 151 23456789", "whatsapp:+4915123456789"),
        ("viber:+49 151 23456789", "viber:+4915123456789"),
        ("signal:+4915123456789", "signal:+4915123456789"),
        ("telegram:+4915123456789", "telegram:+4915123456789"),
    ],
)
def test_handle_ok(text: str, value: str) -> None:
    r = normalise_handle(text)
    assert r.value == value, r.reason
    platform, handle = value.split(":", 1)
    assert r.extra == {"platform": platform, "handle": handle}


def test_whatsapp_national_number_uses_context_region() -> None:
    assert normalise_handle("whatsapp:0151 23456789", DE).value == "whatsapp:+4915123456789"
    r = normalise_handle("whatsapp:0151 23456789")
    assert r.value is None and r.reason is not None and "+CC" in r.reason


def test_invite_links_keep_case() -> None:
    r = normalise_handle("https://t.me/joinchat/AbCdEf")
    assert r.value == "telegram:invite/AbCdEf"
    assert "invite_link" in r.flags
    assert normalise_handle("https://t.me/+AbCdEf123").value == "telegram:invite/AbCdEf123"
    assert normalise_handle("https://chat.whatsapp.com/AbC123").value == "whatsapp:invite/AbC123"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("https://instagram.com/p/Cxyz/", "post"),
        ("https://example.com/user", "not a known social platform"),
        ("foo:bar", "unknown platform"),
        ("John Smith", "not allowed"),
        ("whatsapp:john", "phone numbers"),
        ("https://t.me/", "no handle"),
    ],
)
def test_handle_bad(text: str, fragment: str) -> None:
    r = normalise_handle(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


# --- plates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ab-cd 123", "ABCD123"),
        ("34 ABC 123", "34ABC123"),
        ("M.AB.123", "MAB123"),
        ("АВ 1234 ЕК", "AB1234EK"),  # Cyrillic look-alikes
        ("ав1234ек", "AB1234EK"),
        ("АВ 1234 ЕК", normalise_plate("AB 1234 EK").value),
    ],
)
def test_plate_ok(text: str, value: str) -> None:
    r = normalise_plate(text)
    assert r.value == value, r.reason
    assert r.value is not None and r.value.isascii()


def test_plate_country_prefix_in_parentheses() -> None:
    r = normalise_plate("(TR) 34 ABC 123")
    assert r.value == "34ABC123"
    assert r.extra["country"] == "TR"
    assert r.extra["country_source"] == "prefix"
    assert r.flags == ()
    assert normalise_plate("(I) AB 123 CD").extra["country"] == "IT"


def test_plate_country_prefix_hyphen_is_flagged_ambiguous() -> None:
    r = normalise_plate("D-AB 1234")
    assert r.value == "AB1234"
    assert r.extra["country"] == "DE"
    assert "country_prefix_ambiguous" in r.flags
    assert r.extra["as_written"] == "DAB1234"  # a Düsseldorf plate reads the same


def test_plate_country_from_context() -> None:
    r = normalise_plate("AB 123 CD", NormaliseContext(default_region="it"))
    assert r.extra["country"] == "IT"
    assert r.extra["country_source"] == "context"
    assert "country" not in normalise_plate("AB 123 CD").extra


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "empty"), ("A", "too short"), ("ABCDEFGHIJKLMN", "too long"), ("ab#12", "characters")],
)
def test_plate_bad(text: str, fragment: str) -> None:
    r = normalise_plate(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


# --- IMO ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["IMO 9074729", "9074729", "IMO9074729", "imo no. 9074729"])
def test_imo_valid(text: str) -> None:
    r = normalise_imo(text)
    assert r.value == "IMO9074729"


def test_imo_check_digit() -> None:
    assert imo_check_digit("907472") == 9
    r = normalise_imo("9074728")
    assert r.value is None
    assert r.reason is not None and "should be 9" in r.reason
    assert r.extra["expected_check_digit"] == 9


@pytest.mark.parametrize("text", ["", "907472", "90747299", "abc", "IMO 90747x9"])
def test_imo_bad_shape(text: str) -> None:
    r = normalise_imo(text)
    assert r.value is None and r.reason


# --- MMSI -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "flag"),
    [
        ("211234567", "ship", "DE"),
        ("218234567", "ship", "DE"),
        ("247123456", "ship", "IT"),
        ("MMSI: 211 234 567", "ship", "DE"),
        ("538001234", "ship", "MH"),
        ("636012345", "ship", "LR"),
        ("002111234", "coast_station", "DE"),
        ("021112345", "group", "DE"),
        ("111247123", "sar_aircraft", "IT"),
        ("970123456", "sart", None),
        ("972123456", "mob", None),
        ("974123456", "epirb", None),
        ("982111234", "craft_associated", "DE"),
        ("992471234", "aid_to_navigation", "IT"),
    ],
)
def test_mmsi(text: str, kind: str, flag: str | None) -> None:
    r = normalise_mmsi(text)
    assert r.value is not None and len(r.value) == 9
    assert r.extra["kind"] == kind
    assert r.extra["flag"] == flag
    assert "unknown_mid" not in r.flags


def test_mmsi_unknown_mid_keeps_value() -> None:
    r = normalise_mmsi("217123456")
    assert r.value == "217123456"
    assert "unknown_mid" in r.flags
    assert r.extra["flag"] is None


@pytest.mark.parametrize("text", ["", "21123456", "2112345678", "21123456x"])
def test_mmsi_bad(text: str) -> None:
    r = normalise_mmsi(text)
    assert r.value is None and r.reason


def test_mid_table_complete_and_valid() -> None:
    raw = resources.files("mare.schema.types").joinpath("data/mid.csv").read_text("utf-8")
    rows = list(csv.DictReader(raw.splitlines()))
    mids = [int(r["mid"]) for r in rows]
    assert len(mids) == len(set(mids))
    assert min(mids) == 201 and max(mids) == 775
    assert all(len(r["alpha2"]) == 2 and r["alpha2"].isupper() for r in rows)
    assert len(rows) > 280
    expected = {"211": "DE", "247": "IT", "229": "MT", "256": "MT", "271": "TR", "273": "RU",
                "351": "PA", "370": "PA", "538": "MH", "636": "LR", "642": "LY", "622": "EG",
                "425": "IQ", "468": "SY", "422": "IR", "463": "PK", "461": "OM", "279": "RS",
                "262": "ME", "740": "FK", "638": "SS", "550": "TL"}  # fmt: skip
    for mid, alpha2 in expected.items():
        assert mid_country(mid) == alpha2, mid


# --- IBAN -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "country", "bank"),
    [
        ("DE89370400440532013000", "DE89370400440532013000", "DE", "37040044"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE", "37040044"),
        ("iban: de89-3704-0044-0532-0130-00", "DE89370400440532013000", "DE", "37040044"),
        ("GB82WEST12345698765432", "GB82WEST12345698765432", "GB", "WEST"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "GB", "WEST"),
        ("FR1420041010050500013M02606", "FR1420041010050500013M02606", "FR", "20041"),
        ("IT60X0542811101000000123456", "IT60X0542811101000000123456", "IT", "05428"),
        ("NL91ABNA0417164300", "NL91ABNA0417164300", "NL", "ABNA"),
    ],
)
def test_iban_valid(text: str, value: str, country: str, bank: str) -> None:
    r = normalise_iban(text)
    assert r.value == value, r.reason
    assert r.extra["country"] == country
    assert r.extra["bank_code"] == bank


def test_iban_without_known_bank_code_position() -> None:
    r = normalise_iban("JO94CBJO0010000000000131000302")
    assert r.value == "JO94CBJO0010000000000131000302"
    assert r.extra == {"country": "JO"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("DE88370400440532013000", "checksum"),
        ("GB82WEST12345698765433", "checksum"),
        ("DE8937040044053201300", "22 characters"),
        ("XX89370400440532013000", "does not use IBANs"),
        ("garbage", "two letters"),
        ("", "empty"),
    ],
)
def test_iban_bad(text: str, fragment: str) -> None:
    r = normalise_iban(text)
    assert r.value is None
    assert r.reason is not None and fragment in r.reason


def test_iban_checksum_reason_names_expected_digits() -> None:
    r = normalise_iban("DE88370400440532013000")
    assert r.reason is not None and "89" in r.reason


# --- document numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("C01X00T47", "C01X00T47"), ("ab 123-456", "AB123456"), ("P<123<456", "P123456")],
)
def test_document_number(text: str, value: str) -> None:
    r = normalise_document_number(text)
    assert r.value == value
    assert r.extra["key"] == value


def test_document_number_letter_digit_ambiguity() -> None:
    r = normalise_document_number("AB1O3I56")
    assert r.value == "AB1O3I56"
    assert "letter_digit_ambiguity" in r.flags
    assert r.extra["key"] == "AB103156"
    assert normalise_document_number("AB103156").extra["key"] == r.extra["key"]
    assert "letter_digit_ambiguity" not in normalise_document_number("AB123456").flags
    assert "letter_digit_ambiguity" not in normalise_document_number("OLIVIA").flags


@pytest.mark.parametrize("text", ["", "X1", "Ö123", "A" * 31, "AB#123"])
def test_document_number_bad(text: str) -> None:
    r = normalise_document_number(text)
    assert r.value is None and r.reason


# --- gender ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *[(w, "m") for w in ["male", "Male", "M", "m.", "man", "männlich", "homme", "masculin",
                             "maschio", "hombre", "ذكر", "мужской", "М"]],
        *[(w, "f") for w in ["female", "F", "W", "w", "weiblich", "femme", "féminin", "donna",
                             "mujer", "أنثى", "женский", "Ж"]],
        *[(w, "x") for w in ["X", "diverse", "divers", "non-binary"]],
    ],
)  # fmt: skip
def test_gender(text: str, value: str) -> None:
    assert normalise_gender(text).value == value


@pytest.mark.parametrize("text", ["unknown", "", "?", "U", "unbekannt", "<", "n/a"])
def test_gender_unknown(text: str) -> None:
    r = normalise_gender(text)
    assert r.value is None
    assert r.reason == "gender unknown"
    assert "unknown" in r.flags


def test_gender_unrecognised() -> None:
    r = normalise_gender("banana")
    assert r.value is None
    assert r.reason is not None and "m, f or x" in r.reason


# --- never raises ---------------------------------------------------------------------------

NORMALISERS = [
    normalise_email,
    normalise_handle,
    normalise_plate,
    normalise_imo,
    normalise_mmsi,
    normalise_iban,
    normalise_document_number,
    normalise_gender,
]
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=120)
IDISH = st.text(alphabet="@:/.+-_ ?=#<>()[]0123456789abcIMOwame tDEGB", max_size=60)
LONG_TEXT = st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=30).map(
    lambda s: s * (10_001 // len(s) + 1)
)
CONTEXTS = st.sampled_from([NormaliseContext(), DE, NormaliseContext(default_region="zz", language="ar")])


def _check(result: Normalised, text: str) -> None:
    assert isinstance(result, Normalised)
    assert result.original == text
    assert (result.value is None) != (result.reason is None)
    assert isinstance(result.flags, tuple)
    if result.value is not None:
        assert isinstance(result.value, str) and result.value


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(ANY_TEXT, IDISH, LONG_TEXT), ctx=CONTEXTS)
def test_never_raises(text: str, ctx: NormaliseContext) -> None:
    for fn in NORMALISERS:
        _check(fn(text, ctx), text)


@pytest.mark.parametrize(
    "text",
    ["x" * 10_000, "@" * 10_000, "\ud800", "a\ud800@b.de", "\x00\x01", "😀@😀.com", "https://",
     "t.me/" + "a" * 5000, "١٢٣٤٥٦٧٨٩", "wa.me/", "https://[::1/"],
)  # fmt: skip
def test_hostile_inputs(text: str) -> None:
    for fn in NORMALISERS:
        _check(fn(text), text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("férfi", "m"),
        ("nő", "f"),
        ("E", "m"),
        ("K", "f"),
        ("Ž", "f"),
        ("άνδρας", "m"),
        ("ΓΥΝΑΙΚΑ", "f"),
        ("kobieta", "f"),
        ("мъж", "m"),
        ("زن", "f"),
        ("mulher", "f"),
    ],
)
def test_gender_words_of_more_languages(text: str, code: str) -> None:
    assert normalise_gender(text).value == code
