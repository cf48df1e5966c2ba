"""From untrusted bytes to a JSON value or an XML element tree, or a clear Open311Error.

Order of checks: size (before anything else), encoding, then the parser. JSON is parsed
strictly first; only if that fails is the leading-zero repair tried (the spec's own
examples write ``"service_code":006``), and each repair is reported as a warning with its
position. XML goes through defusedxml with DTDs, entity declarations and external
references forbidden, so an entity bomb or an external entity stops at the DOCTYPE.
"""

from __future__ import annotations

import bisect
import codecs
import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import (
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml import ElementTree as SafeET

from core.open311.model import DEFAULT_MAX_BYTES, MAX_DEPTH, Format, Open311Error, Problem

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_XML_DECL = re.compile(r"\A<\?xml\s[^>]*?\?>")
_XML_DECL_ENCODING = re.compile(rb"\A<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z][\w.\-]*)[\"']")
# A JSON string (skipped) or a number whose integer part has a leading zero (captured).
_JSON_LEADING_ZERO = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|(?<![\w.+\-])(-?0\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])',
    re.S,
)
# expat codes for input that ended too early: no element, unclosed token, partial char,
# unclosed CDATA.
_EXPAT_TRUNCATED = {3, 5, 6, 20}
_LONGEST_INT = 18


@dataclass(frozen=True)
class Loaded:
    format: Format
    value: Any  # a JSON value, or the root Element for XML
    problems: tuple[Problem, ...] = ()


def load(
    data: bytes | str,
    *,
    fmt: Format | None,
    encoding: str | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Loaded:
    _check_size(data, max_bytes)
    fmt = fmt or sniff_format(data)
    if fmt == "json":
        return _load_json(_decode(data, encoding, fmt))
    return Loaded("xml", _load_xml(_decode(data, encoding, fmt)))


def _check_size(data: bytes | str, max_bytes: int) -> None:
    size = len(data)
    if isinstance(data, str) and size <= max_bytes:
        size = len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise Open311Error("too_large", size=size, limit=max_bytes)


def sniff_format(data: bytes | str) -> Format:
    """JSON starts with ``[`` or ``{``, XML with ``<`` (after a BOM and white space)."""
    head = data[:64]
    bom_name = None
    if isinstance(head, bytes):
        for bom, name in _BOMS:
            if head.startswith(bom):
                head, bom_name = head.decode(name, "replace"), name
                break
        else:
            head = head.replace(b"\x00", b"").decode("latin-1")
    head = head.lstrip("\ufeff \t\r\n")
    if bom_name and head and head[0] not in "[{<":
        raise Open311Error("bad_encoding", encoding=bom_name, offset=0, line=1, reason="bom")
    if not head:
        raise Open311Error("empty")
    if head[0] in "[{":
        return "json"
    if head[0] == "<":
        return "xml"
    raise Open311Error("unknown_format", start=head[:16])


def _detect(data: bytes, declared: str | None, fmt: Format) -> tuple[str, str]:
    """(encoding, how it was found): BOM, then the caller's charset, then the XML
    declaration, then the NUL pattern of UTF-16/32 without a BOM, then UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, "bom"
    if declared:
        return declared, "declared"
    if fmt == "xml":
        m = _XML_DECL_ENCODING.match(data)
        # A document readable as ASCII up to its declaration is not UTF-16/32,
        # whatever it says.
        if m and not m.group(1).lower().startswith((b"utf-16", b"utf-32", b"ucs")):
            return m.group(1).decode("ascii"), "xml_declaration"
    head = data[:4]
    if len(head) == 4:
        nul = tuple(b == 0 for b in head)
        if nul == (True, True, True, False):
            return "utf-32-be", "nul_pattern"
        if nul == (False, True, True, True):
            return "utf-32-le", "nul_pattern"
        if nul == (True, False, True, False):
            return "utf-16-be", "nul_pattern"
        if nul == (False, True, False, True):
            return "utf-16-le", "nul_pattern"
    return "utf-8", "default"


def _decode(data: bytes | str, declared: str | None, fmt: Format) -> str:
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:  # a lone surrogate: no encoding can carry it
            raise Open311Error(
                "bad_encoding", encoding="str", offset=e.start, reason=e.reason
            ) from None
    else:
        name, how = _detect(data, declared, fmt)
        try:
            # Only text encodings: a declaration may not name rot13, base64 or zlib.
            if not codecs.lookup(name)._is_text_encoding:
                raise LookupError(name)
            text = data.decode(name)
        except LookupError:
            raise Open311Error("unknown_encoding", encoding=name[:64]) from None
        except UnicodeDecodeError as e:
            raise Open311Error(
                "bad_encoding",
                encoding=name,
                offset=e.start,
                line=data.count(b"\n", 0, e.start) + 1,
                reason=e.reason,
            ) from None
        except UnicodeError as e:
            raise Open311Error("bad_encoding", encoding=name, reason=str(e)[:64]) from None
        text = text.removeprefix("\ufeff")
        start = text.lstrip(" \t\r\n")[:1]
        if how in ("bom", "nul_pattern") and start not in ("[", "{", "<"):
            raise Open311Error("bad_encoding", encoding=name, offset=0, line=1, reason=how)
    if not text.strip():
        raise Open311Error("empty")
    if fmt == "xml":
        # The text is decoded now: blank the declaration (same length, so positions hold)
        # so that the parser does not decode a second time by what it claims.
        m = _XML_DECL.match(text)
        if m:
            text = " " * m.end() + text[m.end() :]
    return text


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _int_or_text(digits: str) -> int | str:
    """Integers longer than any count we expect are ids: keep their digits as text
    (and stay clear of int()'s 4,300-digit limit)."""
    return int(digits) if len(digits) <= _LONGEST_INT else digits


def _load_json(text: str) -> Loaded:
    try:
        return Loaded("json", json.loads(text, parse_int=_int_or_text))
    except json.JSONDecodeError as first:
        strict_error = first
    except RecursionError:
        raise Open311Error("too_deep", limit="json") from None
    repaired, fixes = _repair_leading_zeros(text)
    if not fixes:
        raise _json_error(strict_error, text, strict_error.pos)
    try:
        value = json.loads(repaired, parse_int=_int_or_text)
    except json.JSONDecodeError as e:
        # Map the position in the repaired text back to the original: each fix added 2.
        starts = [offset + 2 * i for i, (offset, _) in enumerate(fixes)]
        shift = 2 * bisect.bisect_left(starts, e.pos)
        raise _json_error(e, text, e.pos - shift) from None
    except RecursionError:
        raise Open311Error("too_deep", limit="json") from None
    problems = []
    line, last = 1, 0
    for offset, number in fixes:
        line += text.count("\n", last, offset)
        last = offset
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        problems.append(
            Problem(
                "leading_zero_number",
                "warning",
                params={"offset": offset, "line": line, "column": column, "text": number},
            )
        )
    return Loaded("json", value, tuple(problems))


def _repair_leading_zeros(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Quote numbers like ``006`` so they keep their digits (they are codes, not amounts)."""
    parts: list[str] = []
    fixes: list[tuple[int, str]] = []
    last = 0
    for m in _JSON_LEADING_ZERO.finditer(text):
        number = m.group(1)
        if number is None:
            continue
        start, end = m.span(1)
        parts += [text[last:start], '"', number, '"']
        fixes.append((start, number))
        last = end
    parts.append(text[last:])
    return "".join(parts), fixes


def _json_error(e: json.JSONDecodeError, text: str, offset: int) -> Open311Error:
    line, column = _line_col(text, offset)
    truncated = offset >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
    if truncated:
        return Open311Error("truncated", line=line, column=column, offset=offset)
    return Open311Error("malformed", line=line, column=column, offset=offset, reason=e.msg)


def _load_xml(text: str) -> Element:
    try:
        root: Element = SafeET.fromstring(
            text, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden:
        raise Open311Error("xml_forbidden", construct="dtd") from None
    except EntitiesForbidden:
        raise Open311Error("xml_forbidden", construct="entity") from None
    except ExternalReferenceForbidden:
        raise Open311Error("xml_forbidden", construct="external") from None
    except ParseError as e:
        line, column = e.position
        code = "truncated" if e.code in _EXPAT_TRUNCATED else "malformed"
        params: dict[str, Any] = {"line": line, "column": column + 1}
        if code == "malformed":
            params["reason"] = str(e).split(":")[0]
        raise Open311Error(code, **params) from None
    return root


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def element_value(el: Element, depth: int = 0) -> Any:
    """A leaf's stripped text (None if empty), or a dict of its children by local name;
    a repeated child becomes a list."""
    if depth > MAX_DEPTH:
        raise Open311Error("too_deep", limit=MAX_DEPTH)
    children = list(el)
    if not children:
        text = (el.text or "").strip()
        return text or None
    out: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in children:
        key = local_name(child.tag)
        value = element_value(child, depth + 1)
        if key not in out:
            out[key] = value
        elif key in repeated:
            out[key].append(value)
        else:
            out[key] = [out[key], value]
            repeated.add(key)
    return out
