"""One problem found in the manifest or a data file, with where it is (file, line, column)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A Japanese message about ``file`` (as shown to the admin), at 1-based ``line``/``column`` if known."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" {self.line}行目"
            if self.column is not None:
                where += f" {self.column}列目"
        return f"{where}: {self.message}"


class SeedError(Exception):
    """The catalogue could not be seeded; the message (Japanese) says why and what to do."""


class ManifestInvalid(SeedError):
    """The manifest or a data file is invalid; nothing was published."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"マニフェストまたはデータファイルに {len(problems)} 件の問題があるため、何も公開していません。"
            f"次の箇所を直してから、もう一度実行してください。\n{lines}"
        )
