"""Machine feeds (雪亮工程 video analytics, smoke detectors, water levels): alerts as JSON
lines on a local TCP port, hosted by ``main.py service``.

- ``config``: resources/feeds.toml, the listener and its sources;
- ``message``: the line format and its validation (a code and a field per refusal);
- ``ratelimit``: a token bucket per source;
- ``screen``: a raw line → a validated, located message, or a refusal;
- ``inbox``: messages into ``feed_items`` a batch per transaction (duplicates counted,
  auto-registering sources' orders registered at once);
- ``items``: the stored items and the 待确认 queue; ``decide``: confirm or dismiss one;
- ``lines``, ``listener``, ``host``: the TCP listener and its place in the service;
- ``client``: a sender (``main.py feed send``, tests, bench).

By default an alert waits as 待确认 until a duty officer confirms it (an order is
registered) or dismisses it: video analytics raise many false alarms, and those never
become intake.
"""
