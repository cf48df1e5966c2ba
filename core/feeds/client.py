"""A sender for the feed listener: bytes out as they are, the reply lines back.

The bytes are not re-encoded or checked: ``main.py feed send`` and the tests send
malformed lines on purpose. Replies are read while sending, so a long file never stalls
on full socket buffers.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Any


def send(data: bytes, host: str, port: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Send ``data`` on one connection, close our side, and return every reply line
    (parsed) until the listener closes. OSError when it cannot be reached."""
    replies: list[dict[str, Any]] = []
    failed: list[BaseException] = []
    with socket.create_connection((host, port), timeout=timeout) as sock:

        def read() -> None:
            buf = b""
            try:
                while True:
                    chunk = sock.recv(65_536)
                    if not chunk:
                        break
                    buf += chunk
                    *lines, buf = buf.split(b"\n")
                    replies.extend(json.loads(line) for line in lines if line)
            except (OSError, ValueError) as exc:
                failed.append(exc)

        reader = threading.Thread(target=read, name="feed-client", daemon=True)
        reader.start()
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError as exc:  # the listener closed early (too many connections …)
            failed.append(exc)
        reader.join(timeout)
        if reader.is_alive():
            raise TimeoutError(f"no end of the replies within {timeout:g} s")
    if failed and not replies:
        raise failed[0] if isinstance(failed[0], OSError) else OSError(str(failed[0]))
    return replies
