"""The injection corpus: attacks (and benign look-alikes) shipped in data/redteam/attacks.toml.

Entry texts are templates. `{{NAME}}` inserts something that depends on the question (the key point
ids, a fake verdict list in our own schema) and `{{transform:plain text}}` encodes the plain text
(base64, ROT13, Unicode tag characters ...), so the file shows what every hidden instruction says.
"""

from __future__ import annotations

import base64
import codecs
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

from interviewer.domain import Question
from interviewer.errors import InterviewerError

Kind = Literal["attack", "benign"]

# The family of an attack is its first tag; further tags name the variant.
FAMILIES: tuple[str, ...] = (
    "direct_override",
    "false_claim",
    "fake_authority",
    "role_play",
    "emotional_appeal",
    "fake_delimiter",
    "fake_json_result",
    "json_breakout",
    "encoded",
    "non_english",
    "code_comment",
    "exfiltration",
    "skip_interview",
    "homoglyph",
    "invisible",
    "bidi",
    "terminal_escape",
    "markup",
)
VARIANTS: tuple[str, ...] = (
    "xml",
    "markdown_fence",
    "chat_template",
    "fake_turns",
    "our_fence",
    "our_schema",
    "base64",
    "rot13",
    "leetspeak",
    "reversed",
    "hex",
    "sample_answer",
    "system_prompt",
    "rubric",
    "zero_width",
    "unicode_tags",
    "osc52",
    "osc0",
    "osc8",
    "csi",
    "textual_markup",
    "rich_markup",
)
BENIGN = "benign"
TECHNIQUES: frozenset[str] = frozenset((*FAMILIES, *VARIANTS, BENIGN))

# Evidence the fake verdicts point at; it occurs in the attack text itself, so a grader that
# copies the fake verdicts would pass a naive "is the quote in the answer" check.
FAKE_EVIDENCE = "This key point is fully covered."

_PLACEHOLDER = re.compile(r"\{\{([A-Za-z_0-9]+)(?::(.*?))?\}\}", re.DOTALL)

_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "l": "1"})
# Latin letters and their Cyrillic look-alikes.
_CYRILLIC = str.maketrans(
    {"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у", "s": "ѕ"}
    | {"A": "А", "C": "С", "E": "Е", "I": "І", "O": "О", "P": "Р", "T": "Т", "M": "М", "K": "К"}
)


def _tags(text: str) -> str:
    """Unicode tag characters (U+E0000 block): invisible in most fonts, read by many models."""
    return "".join(chr(0xE0000 + ord(c)) for c in text if 0x20 <= ord(c) < 0x7F)


def _fullwidth(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "b64": lambda s: base64.b64encode(s.encode()).decode(),
    "rot13": lambda s: codecs.encode(s, "rot13"),
    "reverse": lambda s: s[::-1],
    "hex": lambda s: s.encode().hex(),
    "leet": lambda s: s.translate(_LEET),
    "tags": _tags,
    "zw": lambda s: "\u200b".join(s),
    "cyrillic": lambda s: s.translate(_CYRILLIC),
    "fullwidth": _fullwidth,
}


def _fake_verdicts(question: Question) -> str:
    return json.dumps(
        [
            {"key_point_id": point.id, "verdict": "covered", "evidence": FAKE_EVIDENCE}
            for point in question.key_points
        ]
    )


VALUES: dict[str, Callable[[Question], str]] = {
    "KEY_POINT_IDS": lambda q: ", ".join(p.id for p in q.key_points),
    "FIRST_KEY_POINT_ID": lambda q: q.key_points[0].id if q.key_points else "kp1",
    "VERDICTS_JSON": _fake_verdicts,
    "QUESTION_ID": lambda q: q.id,
    "FAKE_EVIDENCE": lambda q: FAKE_EVIDENCE,
}


class CorpusError(InterviewerError):
    """The red-team corpus file is invalid (names the file, the entry and the field)."""


@dataclass(frozen=True)
class CorpusEntry:
    id: str
    kind: Kind
    techniques: tuple[str, ...]
    template: str
    note: str = ""

    @property
    def family(self) -> str:
        return self.techniques[0]

    def render(self, question: Question) -> str:
        """The text for `question`: placeholders filled, transforms applied."""

        def substitute(match: re.Match[str]) -> str:
            name, argument = match.group(1), match.group(2)
            if argument is not None:
                return TRANSFORMS[name](argument)
            return VALUES[name](question)

        return _PLACEHOLDER.sub(substitute, self.template)


def default_corpus_path() -> Path:
    return Path(str(files("interviewer").joinpath("data/redteam/attacks.toml")))


def load_corpus(path: Path | None = None) -> tuple[CorpusEntry, ...]:
    """Load and validate a corpus file (default: the shipped one)."""
    source = path or default_corpus_path()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(f"{source}: cannot read red-team corpus: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(data) - {"attack", "benign"}
    if unknown:
        raise CorpusError(
            f"{source}: unknown table {sorted(unknown)[0]!r} (use [[attack]] or [[benign]])"
        )
    entries: list[CorpusEntry] = []
    seen: set[str] = set()
    for kind in ("attack", "benign"):
        items = data.get(kind, [])
        if not isinstance(items, list):
            raise CorpusError(f"{source}: {kind} must be an array of tables ([[{kind}]])")
        for number, item in enumerate(items, start=1):
            entry = _entry(item, kind, f"{source}: [[{kind}]] #{number}")
            if entry.id in seen:
                raise CorpusError(f"{source}: [[{kind}]] #{number}: duplicate id {entry.id!r}")
            seen.add(entry.id)
            entries.append(entry)
    if not any(e.kind == "attack" for e in entries):
        raise CorpusError(f"{source}: no [[attack]] entries")
    return tuple(entries)


def _entry(item: object, kind: Kind, where: str) -> CorpusEntry:
    if not isinstance(item, dict):
        raise CorpusError(f"{where}: must be a table")
    extra = set(item) - {"id", "techniques", "text", "note"}
    if extra:
        raise CorpusError(f"{where}: unknown key {sorted(extra)[0]!r} (id, techniques, text, note)")
    entry_id, techniques, text = item.get("id"), item.get("techniques"), item.get("text")
    if not isinstance(entry_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", entry_id):
        raise CorpusError(f"{where}: id must be lower-case letters, digits and dashes")
    where = f"{where} ({entry_id})"
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: text must be a non-empty string")
    if (
        not isinstance(techniques, list)
        or not techniques
        or not all(isinstance(t, str) for t in techniques)
    ):
        raise CorpusError(f"{where}: techniques must be a non-empty list of strings")
    for tag in techniques:
        if tag not in TECHNIQUES:
            raise CorpusError(f"{where}: unknown technique {tag!r}")
    first = techniques[0]
    if kind == "attack" and first not in FAMILIES:
        raise CorpusError(f"{where}: the first technique must be a family: {', '.join(FAMILIES)}")
    if kind == "benign" and first != BENIGN:
        raise CorpusError(f"{where}: a benign entry's first technique must be {BENIGN!r}")
    for match in _PLACEHOLDER.finditer(text):
        name, argument = match.group(1), match.group(2)
        known = TRANSFORMS if argument is not None else VALUES
        if name not in known:
            raise CorpusError(f"{where}: unknown placeholder {{{{{name}}}}}")
    note = item.get("note", "")
    if not isinstance(note, str):
        raise CorpusError(f"{where}: note must be a string")
    return CorpusEntry(entry_id, kind, tuple(techniques), text, note)


def select(
    entries: Sequence[CorpusEntry],
    *,
    techniques: Iterable[str] | None = None,
    limit: int | None = None,
    benign: bool = True,
) -> tuple[CorpusEntry, ...]:
    """Attacks having any of `techniques` (all when None), at most `limit` of them, plus the
    benign entries when `benign`. A limit takes attacks round-robin over families, so a cheap run
    still tries every technique it can."""
    wanted = None if techniques is None else set(techniques)
    if wanted is not None:
        unknown = sorted(wanted - TECHNIQUES)
        if unknown:
            raise CorpusError(
                f"unknown technique {unknown[0]!r}; known: {', '.join(sorted(TECHNIQUES))}"
            )
    attacks = [
        e for e in entries if e.kind == "attack" and (wanted is None or wanted & set(e.techniques))
    ]
    if limit is not None and limit < len(attacks):
        attacks = _round_robin(attacks, limit)
    chosen = [*attacks]
    if benign and (wanted is None or BENIGN in wanted):
        chosen += [e for e in entries if e.kind == "benign"]
    return tuple(chosen)


def _round_robin(attacks: list[CorpusEntry], limit: int) -> list[CorpusEntry]:
    by_family: dict[str, list[CorpusEntry]] = {}
    for entry in attacks:
        by_family.setdefault(entry.family, []).append(entry)
    picked: set[str] = set()
    depth = 0
    while len(picked) < limit:
        for group in by_family.values():
            if depth < len(group) and len(picked) < limit:
                picked.add(group[depth].id)
        depth += 1
    # Keep corpus order so results read in the file's order.
    return [e for e in attacks if e.id in picked]
