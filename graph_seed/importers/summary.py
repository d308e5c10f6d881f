"""What an import did, for the CLI to print: counts, every problem with file:line, and time taken."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graph_seed.importers.errors import RowProblem

MAX_PROBLEMS = 1000  # problems kept (with file:line) per summary; all are counted


@dataclass
class ImportSummary:
    """Totals over all files of one `import_files` call.

    `rows_read` counts the unit the progress callback counts: IATI activities, FA CSV data rows.
    `rows_skipped` counts units (activities, transactions, CSV rows) left out; `problems` lists each one with its
    reason, plus smaller issues (a bad date or percentage dropped from an imported row) that skip nothing.
    Memory stays flat on a file full of bad rows: only the first `MAX_PROBLEMS` problems are kept in `problems`;
    `problem_count` and `skipped_by_reason` count all of them, and `describe()` says when the list is cut.
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
    # relationship rows sent, by type: an edge that recurs two or more batches later is MERGEd once but counted
    # again (edges are de-duplicated over two batches, to keep memory flat); `relationships_created` is what
    # Neo4j created
    relationships_by_type: Counter[str] = field(default_factory=Counter)
    nodes_created: int = 0
    relationships_created: int = 0
    seconds: float = 0.0
    problem_count: int = 0  # every problem, also those past MAX_PROBLEMS
    reasons: Counter[str] = field(default_factory=Counter)  # every problem, by the reason before its first ":"
    # links to placeholder or redacted organisations left out (the record is kept), by reason; see names.py
    placeholders: Counter[str] = field(default_factory=Counter)
    # files none of whose records (IATI activities, CSV rows) were imported: all skipped, or none at all
    empty_files: list[str] = field(default_factory=list)

    def placeholder(self, reason: str) -> None:
        """Count one link to a placeholder organisation ("Other", "Redacted"...) that was left out."""
        self.placeholders[reason] += 1

    def problem(self, file: str, line: int | None, field_name: str | None, reason: str, skipped: bool) -> None:
        self.problem_count += 1
        self.reasons[reason.split(":")[0]] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(RowProblem(file, line, field_name, reason))
        if skipped:
            self.rows_skipped += 1

    @property
    def skipped_by_reason(self) -> Counter[str]:
        return Counter(self.reasons)

    @property
    def problems_cut(self) -> bool:
        """True when `problems` holds only the first `MAX_PROBLEMS` of `problem_count`."""
        return self.problem_count > len(self.problems)

    def describe(self) -> str:
        verb = "validated (dry run, nothing written)" if self.dry_run else "imported"
        lines = [
            f"{len(self.files)} file(s) {verb} in {self.seconds:.1f}s: {self.rows_read} rows read, "
            f"{self.activities} activities -> {self.programs} programs, {self.organisations} organisations, "
            f"{self.transactions} transactions -> {self.funding} funding records, {self.rows_skipped} skipped, "
            f"{self.problem_count} problem(s).",
        ]
        if not self.dry_run:
            lines.append(f"Neo4j: {self.nodes_created} nodes and {self.relationships_created} relationships created.")
        if self.placeholders:
            counted = ", ".join(f"{n} {reason}" for reason, n in sorted(self.placeholders.items()))
            lines.append(f"Placeholder or redacted organisations (no node; their records kept without the link): "
                         f"{counted}.")
        lines.extend(f"  {problem}" for problem in self.problems[:50])
        if self.problem_count > 50:
            kept = f" (only the first {len(self.problems)} are kept)" if self.problems_cut else ""
            lines.append(f"  ... and {self.problem_count - 50} more{kept}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)
