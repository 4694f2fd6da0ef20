"""Problems found in the data, reported all at once with the place to fix them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file, pointing at the line an editor must change."""

    path: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        field = f" {self.field}:" if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}:{field} {prefix}{self.message}{hint}"

    def as_json(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def problems_to_json(problems: list[Problem]) -> str:
    return json.dumps([p.as_json() for p in problems], ensure_ascii=False, indent=2)


class DataError(Exception):
    """Raised by the pipeline when the data is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(errors_only(problems))} problem(s) in the data")

    def __reduce__(self):  # raised in a worker process, it reaches the parent whole
        return (DataError, (self.problems,))
