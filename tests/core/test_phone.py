"""Phone parsing: what operators type in, what the centre stores, what roles may see."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.errors import FieldError
from core.phone import Phone, PhoneError, PhoneKind, parse_phone, phone_field_error

M, L, S = PhoneKind.MOBILE, PhoneKind.LANDLINE, PhoneKind.SERVICE

GOOD = [
    # text, kind, canonical, masked
    ("13812345678", M, "13812345678", "138****5678"),
    ("138 1234 5678", M, "13812345678", "138****5678"),
    ("138-1234-5678", M, "13812345678", "138****5678"),
    (" 19912345678 ", M, "19912345678", "199****5678"),
    ("+86 138 1234 5678", M, "13812345678", "138****5678"),
    ("+8613812345678", M, "13812345678", "138****5678"),
    ("(+86) 138-1234-5678", M, "13812345678", "138****5678"),
    ("0086 13812345678", M, "13812345678", "138****5678"),
    ("86 13812345678", M, "13812345678", "138****5678"),
    ("8613812345678", M, "13812345678", "138****5678"),
    ("１３８１２３４５６７８", M, "13812345678", "138****5678"),
    ("１３８－１２３４－５６７８", M, "13812345678", "138****5678"),
    ("＋８６ １３８ １２３４ ５６７８", M, "13812345678", "138****5678"),
    ("010-62345678", L, "010-62345678", "010-****5678"),
    ("01062345678", L, "010-62345678", "010-****5678"),
    ("(010) 6234 5678", L, "010-62345678", "010-****5678"),
    ("（010）62345678", L, "010-62345678", "010-****5678"),
    ("０１０－６２３４５６７８", L, "010-62345678", "010-****5678"),
    ("+86 10 62345678", L, "010-62345678", "010-****5678"),
    ("0086-10-62345678", L, "010-62345678", "010-****5678"),
    ("+86 (0)10 62345678", L, "010-62345678", "010-****5678"),
    ("021 6234 5678", L, "021-62345678", "021-****5678"),
    ("0755-86013388", L, "0755-86013388", "0755-****3388"),
    ("+86 755 8601 3388", L, "0755-86013388", "0755-****3388"),
    ("0571-8765432", L, "0571-8765432", "0571-***5432"),
    ("0898 2345678", L, "0898-2345678", "0898-***5678"),
    # extensions
    ("010-62345678转8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678 转 8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678转分机8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678 分机：8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678 ext 8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678 EXT. 8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678x8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678 X 8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678#8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678＃8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-62345678-8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("010-6234-5678-8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("+86-10-62345678-8021", L, "010-62345678-8021", "010-****5678-8021"),
    ("0571-8765432-8", L, "0571-8765432-8", "0571-***5432-8"),
    ("0571-8765432-123456", L, "0571-8765432-123456", "0571-***5432-123456"),
    # service numbers are public: never masked
    ("400-810-8888", S, "400-810-8888", "400-810-8888"),
    ("4008108888", S, "400-810-8888", "400-810-8888"),
    ("400 810 8888", S, "400-810-8888", "400-810-8888"),
    ("+86 400 810 8888", S, "400-810-8888", "400-810-8888"),
    ("800-820-8820", S, "800-820-8820", "800-820-8820"),
    ("400-810-8888转2", S, "400-810-8888-2", "400-810-8888-2"),
    ("400-810-8888-2", S, "400-810-8888-2", "400-810-8888-2"),
    ("95588", S, "95588", "95588"),
    ("95598", S, "95598", "95598"),
    ("９５５９８", S, "95598", "95598"),
    ("961234", S, "961234", "961234"),
    ("95588 转 1", S, "95588-1", "95588-1"),
]


@pytest.mark.parametrize(("text", "kind", "canonical", "masked"), GOOD)
def test_good_numbers(text: str, kind: PhoneKind, canonical: str, masked: str) -> None:
    phone = parse_phone(text)
    assert phone is not None
    assert phone.kind is kind
    assert phone.canonical == canonical
    assert phone.masked() == masked
    assert parse_phone(phone.canonical) == phone
    assert phone.digits() == "".join(c for c in canonical if c.isdigit())


BAD = [
    # text, code
    ("110", "phone_bad_length"),
    ("120", "phone_bad_length"),
    ("12345", "phone_bad_length"),
    ("12315", "phone_bad_length"),
    ("1381234567", "phone_bad_length"),
    ("138123456789", "phone_bad_length"),
    ("10012345678", "phone_bad_mobile_prefix"),
    ("11012345678", "phone_bad_mobile_prefix"),
    ("12012345678", "phone_bad_mobile_prefix"),
    ("+86 12012345678", "phone_bad_mobile_prefix"),
    ("011-62345678", "phone_bad_area_code"),
    ("0186-2345678", "phone_bad_area_code"),
    ("010-02345678", "phone_bad_local_number"),
    ("010-12345678", "phone_bad_local_number"),
    ("0755-1234567", "phone_bad_local_number"),
    ("010-6234567", "phone_bad_length"),
    ("021-623456789", "phone_bad_length"),
    ("0755-623456", "phone_bad_length"),
    ("0755-623456789", "phone_bad_length"),
    ("010", "phone_bad_length"),
    ("0755", "phone_bad_length"),
    ("-", "phone_bad_length"),
    ("62345678", "phone_missing_area_code"),
    ("8765432", "phone_missing_area_code"),
    ("6234 5678", "phone_missing_area_code"),
    ("9558", "phone_bad_length"),
    ("9558812", "phone_missing_area_code"),
    ("400810888", "phone_bad_length"),
    ("13812345678转8021", "phone_extension_on_mobile"),
    ("13812345678 ext 1", "phone_extension_on_mobile"),
    ("13812345678-1", "phone_extension_on_mobile"),
    ("010-62345678转1234567", "phone_bad_extension"),
    ("010-62345678-1234567", "phone_bad_extension"),
    ("010-62345678 ext", "phone_bad_extension"),
    ("+1 202 555 0123", "phone_bad_country_code"),
    ("0044 20 7946 0958", "phone_bad_country_code"),
    ("匿名", "phone_bad_characters"),
    ("unknown", "phone_bad_characters"),
    ("138.1234.5678", "phone_bad_characters"),
    ("138/12345678", "phone_bad_characters"),
    ("13812345678+", "phone_bad_characters"),
]


@pytest.mark.parametrize(("text", "code"), BAD)
def test_bad_numbers(text: str, code: str) -> None:
    with pytest.raises(PhoneError) as info:
        parse_phone(text)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "char", "position"),
    [
        ("138abc12345", "a", 3),
        ("ｘ13812345678", "ｘ", 0),  # reported as typed, not as normalised
        ("１３８Ａ", "Ａ", 3),
        ("138 1234 5678（张先生）", "张", 14),
        ("010-62345678转80a1", "a", 15),
    ],
)
def test_bad_characters_name_the_character_and_its_index(
    text: str, char: str, position: int
) -> None:
    with pytest.raises(PhoneError) as info:
        parse_phone(text)
    assert info.value.code == "phone_bad_characters"
    assert info.value.params == {"char": char, "position": position}


@pytest.mark.parametrize("text", [None, "", " ", "\t\n", "\u3000"])
def test_no_number(text: str | None) -> None:
    assert parse_phone(text) is None
    assert phone_field_error("caller_phone", text) is None


def test_field_error() -> None:
    assert phone_field_error("caller_phone", "13812345678") is None
    err = phone_field_error("caller_phone", "138abc")
    assert err == FieldError("caller_phone", "phone_bad_characters", {"char": "a", "position": 3})


def test_error_carries_code_and_params() -> None:
    err = PhoneError("phone_bad_length", digits=3)
    assert (err.code, err.params) == ("phone_bad_length", {"digits": 3})
    assert "phone_bad_length" in str(err)


def test_digits_for_repeat_callers() -> None:
    a, b = parse_phone("+86 138-1234-5678"), parse_phone("13812345678")
    assert a is not None and b is not None and a.digits() == b.digits() == "13812345678"


# --- generated numbers -------------------------------------------------------------------

_d = st.sampled_from("0123456789")


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.lists(_d, min_size=n, max_size=n).map("".join)


_mobiles = st.builds(
    lambda b, rest: Phone(M, "1" + b + rest), st.sampled_from("3456789"), _digits(9)
)
_area_local = st.one_of(
    st.tuples(st.sampled_from(["010", *(f"02{i}" for i in range(10))]), st.just(7)),
    st.tuples(
        st.builds(lambda a, b: "0" + a + b, st.sampled_from("3456789"), _digits(2)),
        st.sampled_from([6, 7]),
    ),
)
_landlines = st.builds(
    lambda al, first, rest: Phone(L, f"{al[0]}-{first}{rest[: al[1]]}"),
    _area_local,
    st.sampled_from("23456789"),
    _digits(7),
)
_services = st.one_of(
    st.builds(
        lambda p, r: Phone(S, f"{p}-{r[:3]}-{r[3:]}"), st.sampled_from(["400", "800"]), _digits(7)
    ),
    st.builds(
        lambda p, r: Phone(S, p + r),
        st.sampled_from(["95", "96"]),
        st.sampled_from([3, 4]).flatmap(_digits),
    ),
)
_exts = st.one_of(st.none(), st.integers(1, 6).flatmap(_digits))
_fixed = st.builds(lambda p, e: Phone(p.kind, p.number, e), st.one_of(_landlines, _services), _exts)
phones = st.one_of(_mobiles, _fixed)


@given(phones)
def test_canonical_round_trips(phone: Phone) -> None:
    assert parse_phone(phone.canonical) == phone


_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@given(phones, st.sampled_from(["full_width", "spaces", "ext_marker", "zhuan"]))
def test_other_spellings_parse_to_the_same_number(phone: Phone, style: str) -> None:
    if style == "full_width":
        text = phone.canonical.translate(_FULL_WIDTH)
    elif style == "spaces":
        text = " " + phone.number.replace("-", " ") + " "
        text += f" - {phone.extension}" if phone.extension else ""
    else:
        marker = " ext. " if style == "ext_marker" else "转"
        text = phone.number + (marker + phone.extension if phone.extension else "")
    assert parse_phone(text) == phone


@given(_mobiles)
def test_international_prefixes_on_mobiles(phone: Phone) -> None:
    for prefix in ("+86", "+86 ", "0086", "86", "86 "):
        assert parse_phone(prefix + phone.number) == phone


@given(_landlines)
def test_international_prefix_on_landlines_drops_the_trunk_zero(phone: Phone) -> None:
    assume(phone.number[:4] not in ("0400", "0800"))  # not area codes; +86 400… is a service
    assert parse_phone("+86 " + phone.number[1:]) == phone
    assert parse_phone("0086" + phone.number[1:].replace("-", "")) == phone


@given(_mobiles)
def test_masked_mobile_hides_the_middle_digits(phone: Phone) -> None:
    masked = phone.masked()
    assert masked == phone.number[:3] + "****" + phone.number[7:]
    assert sum(c.isdigit() for c in masked) == 7


@given(_landlines)
def test_masked_landline_keeps_area_code_and_last_four(phone: Phone) -> None:
    area, local = phone.number.split("-")
    assert phone.masked() == f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
