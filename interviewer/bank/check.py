"""Validation of a parsed bank document: every error, each naming file, question and field.

interviewer.bank.loader documents the format; this module checks a `tomllib` document against it and
builds the domain objects when it is valid.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from interviewer.domain import Bank, Concept, Difficulty, KeyPoint, Question
from interviewer.text.sanitize import clean_line
from interviewer.text.terms import term_problem

FORMAT_VERSION = 1
MIN_KEY_POINTS = 1
"""What the format allows; a curated bank may ask for more with `[bank] min_key_points`."""
MAX_KEY_POINTS = 8

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BANK_KEYS = ("id", "title", "description", "format", "min_key_points")
_QUESTION_KEYS = ("id", "difficulty", "tags", "text", "sample_answer", "key_points")
_KEY_POINT_KEYS = ("id", "text", "probes", "examples")
MAX_EXAMPLES = 8
MAX_EXAMPLE_CHARS = 400
_CONCEPT_KEYS = ("name", "terms")
_DIFFICULTIES = ", ".join(d.value for d in Difficulty)


def is_valid_id(value: str) -> bool:
    """Bank, question and key point ids are lowercase-kebab: "secure-ml-pipeline"."""
    return bool(_ID_RE.match(value))


def check_document(document: dict[str, Any], source: str) -> tuple[Bank | None, list[str]]:
    """The bank and [] when valid, else None and every error ("SOURCE: WHERE: WHAT")."""
    return _Checker(source).check(document)


class _Checker:
    """Walks a parsed document, collecting every error before giving up."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []
        self.min_key_points = MIN_KEY_POINTS

    def error(self, where: str, message: str) -> None:
        # Keys and values quoted in messages come from the file: keep escapes off the terminal.
        self.errors.append(clean_line(f"{self.source}: {where}: {message}"))

    def check(self, document: dict[str, Any]) -> tuple[Bank | None, list[str]]:
        self.unknown_keys("", document, ("bank", "questions", "concepts"))
        header = document.get("bank")
        bank_fields: dict[str, Any] = {}
        if not isinstance(header, dict):
            self.error("[bank]", "a [bank] table with id, title and format = 1 is required")
        else:
            bank_fields = self.check_header(header)
        concepts = self.check_concepts(document.get("concepts"))
        questions = self.check_questions(document.get("questions"), concepts)
        if self.errors:
            return None, self.errors
        return Bank(questions=with_neighbours(questions), concepts=concepts, **bank_fields), []

    def check_header(self, header: dict[str, Any]) -> dict[str, Any]:
        self.unknown_keys("bank.", header, _BANK_KEYS)
        fields: dict[str, Any] = {
            "id": self.ident("bank.id", header, "id"),
            "title": self.string("bank.title", header, "title"),
            "description": self.string("bank.description", header, "description", required=False),
        }
        version = header.get("format")
        if version is None:
            self.error("bank.format", f"required; write `format = {FORMAT_VERSION}`")
        elif not isinstance(version, int) or isinstance(version, bool):
            self.error("bank.format", f"must be the integer {FORMAT_VERSION}")
        elif version != FORMAT_VERSION:
            self.error(
                "bank.format",
                f"format {version} is not supported (this interviewer reads format "
                f"{FORMAT_VERSION}); upgrade interviewer or convert the file",
            )
        least = header.get("min_key_points")
        if least is not None:
            if type(least) is not int or not MIN_KEY_POINTS <= least <= MAX_KEY_POINTS:
                shown = least if type(least) is int else _kind(least)
                self.error(
                    "bank.min_key_points",
                    f"{shown} is not allowed; expected an integer from {MIN_KEY_POINTS} to "
                    f"{MAX_KEY_POINTS} (or leave it out: any question may then have "
                    f"{MIN_KEY_POINTS} to {MAX_KEY_POINTS})",
                )
            else:
                self.min_key_points = least
                fields["min_key_points"] = least
        return fields

    def check_concepts(self, raw: Any) -> tuple[Concept, ...]:
        """The bank's vocabulary: optional, so a bank without it grades on its own wording."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.error("concepts", "must be an array of tables: write each as [[concepts]]")
            return ()
        concepts: list[Concept] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw):
            name = entry.get("name") if isinstance(entry, dict) else None
            named = name.strip() if isinstance(name, str) else ""
            label = f'concept "{named}"' if named else f"concepts[{index}]"
            if not isinstance(entry, dict):
                self.error(label, "must be a table with name and terms: write it as [[concepts]]")
                continue
            before = len(self.errors)
            self.unknown_keys(f"{label}: ", entry, _CONCEPT_KEYS)
            text = self.string(f"{label}: name", entry, "name")
            if text in seen:
                self.error(
                    f"{label}: name",
                    f"duplicate concept name (also concepts[{seen[text]}]); merge their terms "
                    "into one [[concepts]] table",
                )
            elif text:
                seen[text] = index
            terms = self.terms(f"{label}: terms", entry.get("terms"))
            if len(self.errors) == before:
                concepts.append(Concept(name=text, terms=terms))
        return tuple(concepts)

    def check_questions(self, raw: Any, concepts: tuple[Concept, ...]) -> list[Question]:
        if raw is None:
            self.error("questions", "at least one [[questions]] table is required")
            return []
        if not isinstance(raw, list):
            self.error("questions", "must be an array of tables: write each as [[questions]]")
            return []
        if not raw:
            self.error("questions", "at least one [[questions]] table is required")
        questions: list[Question] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw):
            raw_id = entry.get("id") if isinstance(entry, dict) else None
            # Compared as loaded (stripped): "q1 " and "q1" are one id, and would ask one
            # question twice in a session.
            if isinstance(raw_id, str):
                raw_id = raw_id.strip()
            label = (
                f'question "{raw_id}"'
                if isinstance(raw_id, str) and raw_id
                else (f"questions[{index}]")
            )
            if not isinstance(entry, dict):
                self.error(label, "must be a table: write it as [[questions]]")
                continue
            if isinstance(raw_id, str) and raw_id:
                if raw_id in seen:
                    self.error(
                        f"{label}: id",
                        f"duplicate question id (also used by questions[{seen[raw_id]}]); "
                        "question ids must be unique in a bank",
                    )
                else:
                    seen[raw_id] = index
            question = self.check_question(label, entry, concepts)
            if question is not None:
                questions.append(question)
        return questions

    def check_question(
        self, label: str, entry: dict[str, Any], concepts: tuple[Concept, ...]
    ) -> Question | None:
        before = len(self.errors)
        self.unknown_keys(f"{label}: ", entry, _QUESTION_KEYS)
        qid = self.ident(f"{label}: id", entry, "id")
        text = self.string(f"{label}: text", entry, "text")
        sample = self.string(f"{label}: sample_answer", entry, "sample_answer")
        difficulty = self.difficulty(f"{label}: difficulty", entry.get("difficulty"))
        tags = self.tags(f"{label}: tags", entry.get("tags"))
        key_points = self.check_key_points(label, entry.get("key_points"))
        if len(self.errors) > before or difficulty is None:
            return None
        return Question(
            id=qid,
            text=text,
            difficulty=difficulty,
            tags=tags,
            sample_answer=sample,
            key_points=tuple(key_points),
            concepts=concepts,
        )

    def check_key_points(self, label: str, raw: Any) -> list[KeyPoint]:
        where = f"{label}: key_points"
        least = self.min_key_points
        expected = f"{least} to {MAX_KEY_POINTS} [[questions.key_points]] tables"
        if raw is None:
            self.error(where, f"required: {expected}, most important first")
            return []
        if not isinstance(raw, list):
            self.error(where, f"must be an array of tables: {expected}")
            return []
        if not least <= len(raw) <= MAX_KEY_POINTS:
            setting = " (this bank's [bank] min_key_points)" if least > MIN_KEY_POINTS else ""
            self.error(where, f"found {len(raw)} key points, expected {expected}{setting}")
        points: list[KeyPoint] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw):
            at = f"{where}[{index}]"
            if not isinstance(entry, dict):
                self.error(at, "must be a table with id, text and probes")
                continue
            before = len(self.errors)
            self.unknown_keys(f"{at}.", entry, _KEY_POINT_KEYS)
            kid = self.ident(f"{at}.id", entry, "id")
            if kid in seen:
                self.error(
                    f"{at}.id",
                    f'duplicate key point id "{kid}" (also key_points[{seen[kid]}]); '
                    "key point ids must be unique within a question",
                )
            elif kid:
                seen[kid] = index
            text = self.string(f"{at}.text", entry, "text")
            probes = self.probes(f"{at}.probes", entry.get("probes"))
            examples = self.examples(f"{at}.examples", entry.get("examples"))
            if len(self.errors) == before:
                points.append(KeyPoint(id=kid, text=text, probes=probes, examples=examples))
        return points

    # -- field helpers: each records an error and returns a harmless placeholder ------------

    def unknown_keys(self, prefix: str, table: dict[str, Any], allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f'did you mean "{close[0]}"? ' if close else ""
                self.error(
                    f"{prefix}{key}", f"unknown key ({hint}expected one of: {', '.join(allowed)})"
                )

    def string(self, where: str, table: dict[str, Any], key: str, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.error(where, "required, expected a non-empty string")
            return ""
        if not isinstance(value, str):
            self.error(where, f"expected a string, found {_kind(value)}")
            return ""
        value = value.strip()
        if required and not value:
            self.error(where, "must not be empty")
        return value

    def ident(self, where: str, table: dict[str, Any], key: str) -> str:
        value = self.string(where, table, key)
        if value and not is_valid_id(value):
            self.error(
                where,
                f'"{value}" is not a valid id; use lowercase letters, digits and single '
                'hyphens, e.g. "secure-ml-pipeline"',
            )
        return value

    def difficulty(self, where: str, value: Any) -> Difficulty | None:
        if value is None:
            self.error(where, f"required, expected one of: {_DIFFICULTIES}")
            return None
        if isinstance(value, str):
            try:
                return Difficulty(value)
            except ValueError:
                pass
        shown = f'"{value}"' if isinstance(value, str) else _kind(value)
        self.error(where, f"{shown} is not a difficulty; expected one of: {_DIFFICULTIES}")
        return None

    def tags(self, where: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(where, f"expected an array of strings, found {_kind(value)}")
            return ()
        tags: list[str] = []
        for index, tag in enumerate(value):
            if not isinstance(tag, str) or not tag.strip():
                self.error(f"{where}[{index}]", "expected a non-empty string")
            else:
                tags.append(tag.strip())
        return tuple(tags)

    def terms(self, where: str, value: Any) -> tuple[str, ...]:
        if value is None or value == []:
            self.error(where, 'at least one term is required, e.g. terms = ["checksum", "digest"]')
            return ()
        if not isinstance(value, list):
            self.error(where, f"expected an array of strings, found {_kind(value)}")
            return ()
        terms: list[str] = []
        for index, term in enumerate(value):
            if not isinstance(term, str):
                self.error(f"{where}[{index}]", f"expected a string, found {_kind(term)}")
                continue
            problem = term_problem(term)
            if problem is not None:
                self.error(f"{where}[{index}]", problem)
            elif term.strip().lower() in (t.lower() for t in terms):
                self.error(f"{where}[{index}]", f'"{term.strip()}" is listed twice')
            else:
                terms.append(term.strip())
        return tuple(terms)

    def probes(self, where: str, value: Any) -> tuple[str, ...]:
        if value is None or value == []:
            self.error(where, "at least one probe is required")
            return ()
        return tuple(text for _, text in self._strings(where, value))

    def examples(self, where: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        strings = self._strings(where, value)
        if isinstance(value, list) and len(value) > MAX_EXAMPLES:
            self.error(where, f"found {len(value)} examples, expected at most {MAX_EXAMPLES}")
        examples: list[str] = []
        for index, text in strings:
            if len(text) > MAX_EXAMPLE_CHARS:
                self.error(
                    f"{where}[{index}]",
                    f"is {len(text)} characters long; an example is one sentence "
                    f"(at most {MAX_EXAMPLE_CHARS})",
                )
            else:
                examples.append(" ".join(text.split()))
        return tuple(examples)

    def _strings(self, where: str, value: Any) -> list[tuple[int, str]]:
        """(index, stripped text) of each non-empty string of the array `value`; an error for
        anything else."""
        if not isinstance(value, list):
            self.error(where, f"expected an array of strings, found {_kind(value)}")
            return []
        strings: list[tuple[int, str]] = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.error(f"{where}[{index}]", f"expected a string, found {_kind(item)}")
            elif not item.strip():
                self.error(f"{where}[{index}]", "must not be empty")
            else:
                strings.append((index, item.strip()))
        return strings


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    for kind, name in names.items():
        if type(value) is kind:
            return name
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def with_neighbours(questions: Sequence[Question]) -> tuple[Question, ...]:
    """The questions, each carrying the key points of the others (`Question.other_key_points`)."""
    texts = [q.key_points_text for q in questions]
    return tuple(
        q.model_copy(update={"other_key_points": tuple(texts[:i] + texts[i + 1 :])})
        for i, q in enumerate(questions)
    )
