"""What an import did, for the CLI to print: counts, every problem with file:line, and time taken."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graph_seed.importers.errors import RowProblem


@dataclass
class ImportSummary:
    """Totals over all files of one `import_files` call.

    `rows_read` counts the unit the progress callback counts: IATI activities, FA CSV data rows.
    `rows_skipped` counts units (activities, transactions, CSV rows) left out; `problems` lists each one with its
    reason, plus smaller issues (a bad date or percentage dropped from an imported row) that skip nothing.
    """

    kind: str
    files: list[str] = field(default_factory=list)
    dry_run: bool = False
    rows_read: int = 0
    activities: int = 0
    programs: int = 0
    organisations: int = 0
    transactions: int = 0
    funding: int = 0
    rows_skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    already_imported: list[str] = field(default_factory=list)  # files whose exact bytes were imported before
    nodes_by_label: Counter[str] = field(default_factory=Counter)
    relationships_by_type: Counter[str] = field(default_factory=Counter)
    nodes_created: int = 0
    relationships_created: int = 0
    seconds: float = 0.0

    def problem(self, file: str, line: int | None, field_name: str | None, reason: str, skipped: bool) -> None:
        self.problems.append(RowProblem(file, line, field_name, reason))
        if skipped:
            self.rows_skipped += 1

    @property
    def skipped_by_reason(self) -> Counter[str]:
        return Counter(problem.reason.split(":")[0] for problem in self.problems)

    def describe(self) -> str:
        verb = "validated (dry run, nothing written)" if self.dry_run else "imported"
        lines = [
            f"{len(self.files)} file(s) {verb} in {self.seconds:.1f}s: {self.rows_read} rows read, "
            f"{self.activities} activities -> {self.programs} programs, {self.organisations} organisations, "
            f"{self.transactions} transactions -> {self.funding} funding records, {self.rows_skipped} skipped, "
            f"{len(self.problems)} problem(s).",
        ]
        if not self.dry_run:
            lines.append(f"Neo4j: {self.nodes_created} nodes and {self.relationships_created} relationships created.")
        lines.extend(f"  {problem}" for problem in self.problems[:50])
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)
