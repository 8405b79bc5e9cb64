"""What a catalog import tells its caller: the report of what it did, every problem
as (line, field, reason), and progress as it goes."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from exchange.errors import InvalidInput

NON_FIELD = "non_field_errors"

# progress(phase, lines done, lines in this phase); phase is "validate" or "write".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CatalogProblem:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


class CatalogInvalid(InvalidInput):
    """The whole catalog is refused; `fields` maps "line N: field" to its reasons."""

    code = "invalid_catalog"

    def __init__(self, problems: Iterable[CatalogProblem]):
        self.problems = sorted(problems, key=lambda problem: problem.line)
        fields: dict[str, list[str]] = {}
        for problem in self.problems:
            fields.setdefault(f"line {problem.line}: {problem.field}", []).append(problem.reason)
        count = len(self.problems)
        super().__init__(
            f"The catalog has {count} problem{'' if count == 1 else 's'}; nothing was imported.",
            fields=fields,
        )


@dataclass
class CatalogImportReport:
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    unchanged_ids: list[int] = field(default_factory=list)
    published_ids: list[int] = field(default_factory=list)
    accounts_created_ids: list[int] = field(default_factory=list)

    @property
    def created(self) -> int:
        return len(self.created_ids)

    @property
    def updated(self) -> int:
        return len(self.updated_ids)

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_ids)

    @property
    def published(self) -> int:
        return len(self.published_ids)

    @property
    def accounts_created(self) -> int:
        return len(self.accounts_created_ids)
