"""Named SQL, aiosql-style: `-- name: foo` starts a query in sql/queries/<subject>.sql,
the comment lines right under it are its docstring, and values are `:named` parameters.

The bottom of the layers (docs/architecture.md): the reader's queries (data_access), the
owner's (warehouse checks, citus rules, notices) and ingest's merges are all loaded here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import TextClause, text

QUERY_DIR = Path(__file__).resolve().parent.parent / "sql" / "queries"
_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
# A bind parameter as SQLAlchemy's text() reads it: a colon not part of a :: cast.
_PARAM = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    subject: str
    doc: str
    sql: str

    @property
    def params(self) -> frozenset[str]:
        without_comments = re.sub(r"--[^\n]*", "", self.sql)
        without_strings = re.sub(r"'[^']*'", "''", without_comments)
        return frozenset(_PARAM.findall(without_strings))

    def clause(self) -> TextClause:
        return text(self.sql)


def parse(source: str, subject: str) -> dict[str, NamedQuery]:
    queries: dict[str, NamedQuery] = {}
    marks = list(_NAME.finditer(source))
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(source)
        body_lines = source[mark.end() : end].strip("\n").splitlines()
        doc_lines = []
        while body_lines and body_lines[0].lstrip().startswith("--"):
            doc_lines.append(body_lines.pop(0).lstrip()[2:].strip())
        sql = "\n".join(body_lines).strip().rstrip(";")
        name = mark.group(1)
        if name in queries:
            raise ValueError(f"query {name} is defined twice in {subject}.sql")
        queries[name] = NamedQuery(name, subject, " ".join(doc_lines), sql)
    return queries


@cache
def all_queries() -> dict[str, NamedQuery]:
    queries: dict[str, NamedQuery] = {}
    for path in sorted(QUERY_DIR.glob("*.sql")):
        for name, query in parse(path.read_text(encoding="utf-8"), path.stem).items():
            if name in queries:
                raise ValueError(f"query {name} is defined in {path.stem}.sql and elsewhere")
            queries[name] = query
    return queries


def query(name: str) -> NamedQuery:
    return all_queries()[name]
