"""Errors raised by core.

Core speaks in codes, never in sentences: the desktop layer turns a code and its
params into a translated message. Every error says *what* was wrong and *where*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


class CoreError(Exception):
    """Base of every error core raises on purpose."""

    code: str = "core_error"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params: dict[str, Any] = params
        detail = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{self.code}({detail})" if detail else self.code)


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field: the field's name, a code and its params."""

    field: str
    code: str
    params: Mapping[str, Any] = dc_field(default_factory=dict)

    def __str__(self) -> str:
        detail = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.field}: {self.code}" + (f" ({detail})" if detail else "")


class ValidationError(CoreError):
    """Input was refused; ``errors`` lists every bad field, not only the first."""

    code = "validation_failed"

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__(self.code, errors=[str(e) for e in self.errors])

    def fields(self) -> set[str]:
        return {e.field for e in self.errors}

    def codes_for(self, field_name: str) -> list[str]:
        return [e.code for e in self.errors if e.field == field_name]


class NotFound(CoreError):
    code = "not_found"


class IllegalTransition(CoreError):
    """The action is not allowed from the order's (or hop's) current state."""

    code = "illegal_transition"


class PermissionDenied(CoreError):
    """The acting user lacks the role, or is not the party the action belongs to."""

    code = "permission_denied"


class OutOfJurisdiction(CoreError):
    """The order lies outside everything the acting user's unit may see."""

    code = "out_of_jurisdiction"


class StaleVersion(CoreError):
    """Somebody else changed the record since it was read; nothing was written."""

    code = "stale_version"


class SchemaMismatch(CoreError):
    """The database's schema revision differs from this client's."""

    code = "schema_mismatch"


class AuthError(CoreError):
    code = "bad_credentials"
