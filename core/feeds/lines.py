"""Newline-delimited input with a bound: never more than ``max_bytes`` of one line held.

A line longer than the bound is dropped as it arrives (its bytes are never kept) and
reported as ``TOO_LONG`` once its newline comes, so a 10 MB line costs a 16 KB buffer,
and the lines after it are read as usual. A trailing ``\\r`` is dropped (CRLF senders).
"""

from __future__ import annotations

from typing import Final


class _TooLong:
    def __repr__(self) -> str:
        return "TOO_LONG"


TOO_LONG: Final = _TooLong()
Line = bytes | _TooLong


class LineSplitter:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> list[Line]:
        """The lines completed by ``data``, in order."""
        out: list[Line] = []
        start = 0
        while True:
            nl = data.find(b"\n", start)
            if nl < 0:
                break
            piece = data[start:nl]
            if self._discarding or len(self._buf) + len(piece) > self.max_bytes + 1:
                out.append(TOO_LONG)
            else:
                self._buf += piece
                out.append(self._take())
            self._buf.clear()
            self._discarding = False
            start = nl + 1
        rest = data[start:]
        if not self._discarding:
            if len(self._buf) + len(rest) > self.max_bytes + 1:  # +1: a CR before the LF
                self._discarding = True
                self._buf.clear()
            else:
                self._buf += rest
        return out

    def end(self) -> list[Line]:
        """At end of input: the last line when it had no newline."""
        if self._discarding:
            self._discarding = False
            return [TOO_LONG]
        if not self._buf:
            return []
        return [self._take()]

    def _take(self) -> Line:
        line = bytes(self._buf)
        self._buf.clear()
        if line.endswith(b"\r"):
            line = line[:-1]
        return TOO_LONG if len(line) > self.max_bytes else line
