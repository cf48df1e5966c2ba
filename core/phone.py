"""Chinese phone numbers as callers give them: parse, validate, mask, match.

A hotline operator types whatever the caller says. ``parse_phone`` turns it into
one canonical ``Phone`` or a ``PhoneError`` whose code the desktop translates.

Rules:

- Text is NFKC-normalised character by character first, so full-width digits,
  ``－`` and ``（）`` work. Separators: whitespace, ``-``, ``(`` and ``)``.
  Anything else (letters, ``.``, ``/``) is ``phone_bad_characters`` with the
  offending character and its index in the *original* text.
- ``+86`` / ``0086`` may precede a mobile, a landline whose area code then lacks
  its leading 0 (``+86 10 62345678`` → ``010-62345678``) or a 400/800 number
  (``+86 400…`` is that service, never area code 0400). A bare ``86`` is
  taken as a prefix only before a valid 11-digit mobile. ``+`` or ``00`` followed
  by another country is ``phone_bad_country_code``: the centre cannot call back.
- Mobile: 11 digits, ``1[3-9]…``. ``1[0-2]…`` is ``phone_bad_mobile_prefix``.
- Landline: ``010`` and ``02X`` take 8-digit local numbers, other ``0XXX`` area
  codes 7 or 8 digits. Local numbers never start with 0 or 1. Codes:
  ``phone_bad_area_code``, ``phone_bad_local_number``, ``phone_bad_length``.
  A 7–8 digit number without area code is ``phone_missing_area_code``: the
  county centre needs it to call back.
- Service: ``400``/``800`` + 7 digits (canonical ``400-810-8888``); ``95xxx(x)``
  and ``96xxx(x)`` (canonical as digits).
- Everything else, including 110/120/12345, is ``phone_bad_length``: short codes
  are not a caller's number.
- Extension, for landline and service numbers only: after ``转``, ``分机``,
  ``转分机``, ``ext``, ``ext.``, ``x`` or ``#`` (any case, optional separators
  and ``:``), or as a final ``-``-separated group after a complete number
  (``0571-1234567-8`` reads as extension 8). At most 6 digits, else
  ``phone_bad_extension``; on a mobile, ``phone_extension_on_mobile``.

Canonical text (``Phone.canonical``) is ``number`` or ``number-extension``, e.g.
``010-12345678-8021``; ``parse_phone`` reads it back to an equal ``Phone``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from core.errors import FieldError

MAX_EXTENSION_DIGITS = 6

_SEPARATORS = frozenset(" -()")
# The first marker after a digit wins; "转分机" is listed before "转" so "分机" is not junk.
_EXT_MARKER = re.compile(r"(转分机|分机|转|ext\.?|x|#)[\s\-()]*:?", re.IGNORECASE)


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    SERVICE = "service"


class PhoneError(ValueError):
    """A refused phone number; ``code`` and ``params`` feed the translated message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params: dict[str, object] = params
        detail = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{code}({detail})" if detail else code)


@dataclass(frozen=True)
class Phone:
    """A valid number in canonical form (see the module docstring)."""

    kind: PhoneKind
    number: str
    extension: str | None = None

    @property
    def canonical(self) -> str:
        """The one stored and displayed text form; ``parse_phone`` round-trips it."""
        return self.number + (f"-{self.extension}" if self.extension else "")

    def masked(self) -> str:
        """For roles that may not see callers' numbers; service numbers are public."""
        if self.kind is PhoneKind.MOBILE:
            shown = self.number[:3] + "****" + self.number[-4:]
        elif self.kind is PhoneKind.LANDLINE:
            area, local = self.number.split("-")
            shown = f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
        else:
            shown = self.number
        return shown + (f"-{self.extension}" if self.extension else "")

    def digits(self) -> str:
        """Digits of number and extension: the key for spotting repeat callers.

        The extension is included so that people behind one switchboard stay apart;
        compare ``number`` digits for a looser match.
        """
        return "".join(c for c in self.canonical if c.isdigit())


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC per character, remembering each output character's original index."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch)
        out.append(norm)
        origin.extend([i] * len(norm))
    return "".join(out), origin


def _bad_char(text: str, origin: list[int], at: int) -> PhoneError:
    pos = origin[at]
    return PhoneError("phone_bad_characters", char=text[pos], position=pos)


def _split_extension(norm: str) -> tuple[str, str | None, int]:
    """Main part, extension text after a marker (or None), and where that text starts."""
    for m in _EXT_MARKER.finditer(norm):
        if any(c.isdigit() for c in norm[: m.start()]):
            return norm[: m.start()], norm[m.end() :], m.end()
    return norm, None, len(norm)


def _groups(main: str, text: str, origin: list[int]) -> tuple[bool, list[tuple[str, str]]]:
    """Whether a leading '+' was given, and (separator before, digits) groups."""
    plus = False
    groups: list[tuple[str, str]] = []
    sep, digits = "", ""
    for i, ch in enumerate(main):
        if ch.isascii() and ch.isdigit():
            digits += ch
        elif ch in _SEPARATORS or ch.isspace():
            if digits:
                groups.append((sep, digits))
                sep, digits = "", ""
            sep += ch
        elif ch == "+" and not plus and not groups and not digits:
            plus = True
        else:
            raise _bad_char(text, origin, i)
    if digits:
        groups.append((sep, digits))
    return plus, groups


def _strip_country(digits: str, plus: bool) -> tuple[str, bool]:
    """The number without +86/0086/86, and whether a country prefix was given."""
    if plus:
        if not digits:
            raise PhoneError("phone_bad_length", digits=0)
        if not digits.startswith("86"):
            raise PhoneError("phone_bad_country_code")
        return digits[2:], True
    if digits.startswith("0086"):
        return digits[4:], True
    if digits.startswith("00"):
        raise PhoneError("phone_bad_country_code")
    if re.fullmatch(r"861[3-9]\d{9}", digits):
        return digits[2:], False
    return digits, False


def _classify(digits: str, plus: bool) -> Phone:
    """Validate a number without extension; raise the most specific PhoneError."""
    typed = len(digits)
    n, intl = _strip_country(digits, plus)
    # +86 drops the trunk 0 of area codes; Beijing's "10" looks like a mobile's "1".
    beijing = n.startswith("10") and len(n) != 11
    if intl and n[:1] != "0" and not _is_long_service(n) and (n[:1] != "1" or beijing):
        n = "0" + n
    if n.startswith("1"):
        if len(n) != 11:
            raise PhoneError("phone_bad_length", digits=typed)
        if n[1] in "012":
            raise PhoneError("phone_bad_mobile_prefix", prefix=n[:2])
        return Phone(PhoneKind.MOBILE, n)
    if n.startswith("0"):
        return _landline(n, typed)
    if _is_long_service(n):
        return Phone(PhoneKind.SERVICE, f"{n[:3]}-{n[3:6]}-{n[6:]}")
    if not intl and n[:2] in ("95", "96") and len(n) in (5, 6):
        return Phone(PhoneKind.SERVICE, n)
    if len(n) in (7, 8):
        raise PhoneError("phone_missing_area_code", digits=typed)
    raise PhoneError("phone_bad_length", digits=typed)


def _is_long_service(n: str) -> bool:
    return len(n) == 10 and n[:3] in ("400", "800")


def _landline(n: str, typed: int) -> Phone:
    area_len = 3 if n[1:2] in ("1", "2") else 4
    if len(n) < area_len:
        raise PhoneError("phone_bad_length", digits=typed)
    area, local = n[:area_len], n[area_len:]
    if area[1] == "0" or (area[1] == "1" and area != "010"):
        raise PhoneError("phone_bad_area_code", area_code=area)
    if not local:
        raise PhoneError("phone_bad_length", digits=typed)
    if local[0] in "01":
        raise PhoneError("phone_bad_local_number", area_code=area, first_digit=local[0])
    if len(local) not in ((8,) if area_len == 3 else (7, 8)):
        raise PhoneError("phone_bad_length", digits=typed)
    return Phone(PhoneKind.LANDLINE, f"{area}-{local}")


def _with_extension(phone: Phone, ext: str) -> Phone:
    if phone.kind is PhoneKind.MOBILE:
        raise PhoneError("phone_extension_on_mobile", extension=ext)
    if not 1 <= len(ext) <= MAX_EXTENSION_DIGITS:
        raise PhoneError("phone_bad_extension", extension=ext)
    return Phone(phone.kind, phone.number, ext)


def parse_phone(text: str | None) -> Phone | None:
    """The caller's number, or None when none was given; PhoneError when it is bad."""
    if text is None or not text.strip():
        return None
    norm, origin = _normalise(text)
    main, ext_text, ext_at = _split_extension(norm)
    plus, groups = _groups(main, text, origin)
    ext_digits: str | None = None
    if ext_text is not None:
        ext_digits = ""
        for i, ch in enumerate(ext_text):
            if ch.isascii() and ch.isdigit():
                ext_digits += ch
            elif not (ch in _SEPARATORS or ch.isspace()):
                raise _bad_char(text, origin, ext_at + i)
    digits = "".join(d for _, d in groups)
    if ext_digits is not None:
        return _with_extension(_classify(digits, plus), ext_digits)
    if len(groups) >= 2 and "-" in groups[-1][0]:
        # A final dash group after a complete number is its extension.
        try:
            base = _classify(digits[: -len(groups[-1][1])], plus)
        except PhoneError:
            pass
        else:
            return _with_extension(base, groups[-1][1])
    return _classify(digits, plus)


def phone_field_error(field: str, text: str | None) -> FieldError | None:
    """The field's error for form validation, or None when the text is fine or empty."""
    try:
        parse_phone(text)
    except PhoneError as err:
        return FieldError(field, err.code, dict(err.params))
    return None
