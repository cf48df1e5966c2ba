"""Command Center core: domain, closed loop, time limits and storage. No Qt here."""
