"""Import a plain-text question list into a Bank (interviewer.bank.toml_writer writes it as TOML).

The plain-text layout, repeated for each question (blank lines between blocks are ignored)::

    Question 1
    Difficulty: medium
    How would you secure a machine learning pipeline ...?
    Sample answer
    I'd treat the ML pipeline like any other production system ...

Plain text has no key points or probes, so they are derived: the sample answer is split into
sentences (and, when it has fewer than five, into clauses), up to 8 of the most content-rich become
key points (most content-rich first), and each gets probes from templates that name the area of
the point, never its content. A one-sentence sample answer, typical of course quizzes, gives one
key point, the sentence itself; such short answers get probes that ask for an example or more
depth instead. The result is a starting point: review the key points and probes
by hand before relying on the grades.
"""

from __future__ import annotations

import re

from interviewer.bank.check import MAX_KEY_POINTS, with_neighbours
from interviewer.domain import Bank, Difficulty, KeyPoint, Question
from interviewer.errors import BankError
from interviewer.text.sanitize import clean_line
from interviewer.text.words import STOPWORDS, wordset

_QUESTION_RE = re.compile(r"^Question\s+(\d+)\s*$", re.IGNORECASE)
_DIFFICULTY_RE = re.compile(r"^Difficulty\s*:\s*(\S.*?)\s*$", re.IGNORECASE)
_SAMPLE_RE = re.compile(r"^Sample answer\s*:?\s*$", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’')\]]))\s+(?=[\"“‘(\[]?[A-Z0-9])")
# Not `interviewer.text.words`: ids and area cues keep hyphenated words whole ("red-team").
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*")
_LEADING_CONNECTIVE_RE = re.compile(
    r"^(?:first|second|third|then|also|next|finally|after that|from there|on top of that|"
    r"at the same time|in practice|so)\s*,?\s+",
    re.IGNORECASE,
)
_LAYOUT = (
    'lay out each question as a "Question N" line, a "Difficulty: easy|medium|hard" line, the '
    'question, a "Sample answer" line and the answer (see `interviewer bank import --help`)'
)
_SLUG_WORDS = 6
_CLAUSES_BELOW = 5
"""Sample answers of fewer sentences are split at clauses too: two sentences that list five
controls give five key points, a one-sentence definition stays one."""

# Area cues: when a key point mentions one of these words, its probes ask about that area.
# The phrases name a topic an interviewer would steer towards, never the expected answer.
_AREAS: tuple[tuple[frozenset[str], str], ...] = (
    (
        wordset("data dataset datasets ingestion training provenance poisoning"),
        "the data the system learns from",
    ),
    (
        wordset("log logs logging monitor monitoring dashboards alerts telemetry observability"),
        "visibility once it is running",
    ),
    (
        wordset("access authorization permissions role roles identity credential credentials"),
        "who and what is allowed to do what",
    ),
    (
        wordset("test testing tested red-team adversarial retest probes canary"),
        "checking it before you trust it",
    ),
    (
        wordset("vendor contractual contract third-party sdk dependency dependencies libraries"),
        "the parts you do not build yourself",
    ),
    (
        wordset("incident contain containment forensic evidence escalate playbooks"),
        "the moment something goes wrong",
    ),
    (
        wordset("leadership stakeholders business impact decision tradeoffs audience"),
        "the people who have to make the call",
    ),
    (wordset("tool tools actions action execution"), "what the system can do on its own"),
    (wordset("rollout launch release deployment flags"), "how it reaches users"),
)
_AREA_PROBES = (
    "Walk me through how you would think about {area}.",
    "What would worry you most about {area}, and what would you do about it?",
)
_GENERIC_PROBES = (
    "What else would you want in place before you were comfortable with this?",
    "Is there a part of this you have not covered yet that you would look at next?",
    "If you had to defend this approach to a sceptical colleague, what would you add?",
    "What would you check that most people would overlook here?",
    "Where do you think this is most likely to go wrong, and why?",
    "How would you know your approach is actually working?",
    "What would you do differently if the stakes were much higher?",
    "Which part of this would you want a second pair of eyes on?",
)
# A sample answer of a sentence or two answers a question of fact ("What is recursion?"), where
# "what else would you want in place" makes no sense: probes ask for an example or more depth.
_SHORT_ANSWER_PROBES = (
    "Can you give me a concrete example?",
    "How would you explain that to someone meeting the idea for the first time?",
    "Can you say a little more about how that works?",
    "Why does that matter in practice?",
    "Is there anything important about it that you have not mentioned yet?",
    "Where have you seen this come up in practice?",
    "What is a common misunderstanding about it?",
    "How would you check that this is right?",
)


# ---------------------------------------------------------------------------------------------
# Parsing the plain-text layout


def parse_seed_text(
    text: str, source: str, *, bank_id: str | None = None, title: str | None = None
) -> Bank:
    """Parse the plain-text layout; BankError names `source`, the line and what was expected."""
    blocks, errors = _split_blocks(text.splitlines(), source)
    if errors:
        raise BankError("; ".join(errors))
    if not blocks:
        raise BankError(f'{source}: no questions found; expected a line "Question 1"')
    used: set[str] = set()
    questions = [_question_from(block, source, used) for block in blocks]
    stem = re.sub(r"\.[^./\\]*$", "", re.split(r"[/\\]", source)[-1])
    return Bank(
        id=bank_id or slugify(stem, drop_stopwords=False) or "imported",
        title=title or stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Imported",
        description=f"Imported from {source}.",
        questions=with_neighbours(questions),
    )


class _Block:
    def __init__(self, number: int, line: int) -> None:
        self.number = number
        self.line = line
        self.difficulty: Difficulty | None = None
        self.text: list[str] = []
        self.answer: list[str] = []
        self.answer_line = 0


def _split_blocks(lines: list[str], source: str) -> tuple[list[_Block], list[str]]:
    blocks: list[_Block] = []
    errors: list[str] = []
    block: _Block | None = None
    state = "start"
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        question = _QUESTION_RE.match(line)
        if question:
            if block is not None:
                errors.extend(_finish(block, state, source, lineno))
            block = _Block(int(question[1]), lineno)
            blocks.append(block)
            state = "difficulty"
            continue
        if block is None:
            if line:
                errors.append(
                    f'{source}: line {lineno}: expected "Question 1", '
                    f'found "{clean_line(line[:60])}"; {_LAYOUT}'
                )
                return blocks, errors
            continue
        if state == "difficulty":
            if not line:
                continue
            match = _DIFFICULTY_RE.match(line)
            value = match[1].lower() if match else ""
            if value not in {d.value for d in Difficulty}:
                errors.append(
                    f'{source}: line {lineno}: expected "Difficulty: easy|medium|hard" after '
                    f'"Question {block.number}", found "{clean_line(line[:60])}"'
                )
                state = "skip"
                continue
            block.difficulty = Difficulty(value)
            state = "text"
        elif state == "text":
            if _SAMPLE_RE.match(line):
                block.answer_line = lineno + 1
                state = "answer"
            elif line or block.text:
                block.text.append(raw.rstrip())
        elif state == "answer" and (line or block.answer):
            block.answer.append(raw.rstrip())
    if block is not None:
        errors.extend(_finish(block, state, source, len(lines) + 1))
    return blocks, errors


def _finish(block: _Block, state: str, source: str, next_line: int) -> list[str]:
    where = f"{source}: line {next_line}"
    name = f"question {block.number} (line {block.line})"
    if state == "skip":
        return []
    if state == "difficulty":
        return [f'{where}: expected "Difficulty: easy|medium|hard" for {name}']
    if state == "text":
        if not _strip_blank(block.text):
            return [f'{where}: expected the question text and a "Sample answer" line for {name}']
        return [f'{where}: expected a "Sample answer" line for {name}']
    if not _strip_blank(block.answer):
        return [
            f"{source}: line {block.answer_line - 1}: expected the sample answer text after "
            f'"Sample answer" for {name}'
        ]
    return []


def _strip_blank(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _question_from(block: _Block, source: str, used: set[str]) -> Question:
    text = "\n".join(_strip_blank(block.text)).strip()
    answer = "\n".join(_strip_blank(block.answer)).strip()
    assert block.difficulty is not None  # _split_blocks reports blocks without one
    points = derive_key_points(answer)
    if not points:
        raise BankError(
            f"{source}: line {block.answer_line}: the sample answer of question {block.number} "
            "gives no point to grade; write it as at least one sentence that says what a good "
            "answer says"
        )
    return Question(
        id=_unique(slugify(text, max_words=_SLUG_WORDS) or f"question-{block.number}", used),
        text=text,
        difficulty=block.difficulty,
        sample_answer=answer,
        key_points=tuple(points),
    )


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate


def slugify(text: str, *, max_words: int | None = None, drop_stopwords: bool = True) -> str:
    """Lowercase-kebab id from the words of `text` (stopwords dropped when asked and possible)."""
    words = [w.lower().replace("’", "").replace("'", "") for w in _WORD_RE.findall(text)]
    content = [w for w in words if w not in STOPWORDS] if drop_stopwords else words
    content = content or words
    parts = [re.sub(r"[^a-z0-9]+", "-", w).strip("-") for w in content]
    parts = [p for p in parts if p]
    return "-".join(parts[:max_words] if max_words else parts)


# ---------------------------------------------------------------------------------------------
# Deriving key points and probes


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END_RE.split(text.replace("\n", " ")) if s.strip()]


def _content_words(sentence: str) -> set[str]:
    tokens = (w.lower().replace("’", "'") for w in _WORD_RE.findall(sentence))
    return {w for w in tokens if w not in STOPWORDS and len(w) > 2}


def _salience(sentence: str) -> float:
    # Content-rich sentences, and lists of controls, carry the ideas a grader should look for;
    # short framing sentences ("Speed matters, but ...") carry few.
    return len(_content_words(sentence)) + 0.5 * sentence.count(",")


def _tidy(sentence: str) -> str:
    tidy = _LEADING_CONNECTIVE_RE.sub("", sentence).strip()
    return tidy[:1].upper() + tidy[1:] if tidy else sentence


def derive_key_points(answer: str) -> list[KeyPoint]:
    """1 to 8 key points from a sample answer, most content-rich first (none when it has no
    content words at all)."""
    sentences = split_sentences(answer)
    short = len(sentences) < _CLAUSES_BELOW
    if short:
        sentences = [part for s in sentences for part in _split_clauses(s)]
    ranked = sorted(enumerate(sentences), key=lambda item: (-_salience(item[1]), item[0]))
    chosen: list[str] = []
    for _, sentence in ranked:
        if len(chosen) == MAX_KEY_POINTS:
            break
        if _content_words(sentence) and sentence not in chosen:
            chosen.append(sentence)
    points: list[KeyPoint] = []
    used_probes: set[str] = set()
    for index, sentence in enumerate(chosen, start=1):
        points.append(
            KeyPoint(
                id=f"kp{index}",
                text=_tidy(sentence),
                probes=_short_probes(used_probes) if short else _probes(sentence, used_probes),
            )
        )
    return points


def _split_clauses(sentence: str) -> list[str]:
    parts = [p.strip(" ,;") for p in re.split(r";\s+|,\s+(?:and|then|but)\s+", sentence)]
    return [p for p in parts if p]


def _short_probes(used: set[str]) -> tuple[str, ...]:
    # Two per point, so a one-point question has a probe left for each of the default two.
    probes = [probe for probe in _SHORT_ANSWER_PROBES if probe not in used][:2]
    if not probes:
        probes = [probe for probe in _GENERIC_PROBES if probe not in used][:1]
    used.update(probes)
    return tuple(probes) or (_GENERIC_PROBES[len(used) % len(_GENERIC_PROBES)],)


def _probes(sentence: str, used: set[str]) -> tuple[str, ...]:
    words = {w.lower() for w in _WORD_RE.findall(sentence)}
    probes: list[str] = []
    # The area the sentence says most about; ties go to the earlier (more specific) area.
    hits = [(len(words & cues), -rank, area) for rank, (cues, area) in enumerate(_AREAS)]
    best = max(hits)
    if best[0]:
        for template in _AREA_PROBES:
            probe = template.format(area=best[2])
            if probe not in used:
                probes.append(probe)
                break
    # One generic opener per point keeps them distinct within a question of up to 8 points.
    spare = [probe for probe in _GENERIC_PROBES if probe not in used]
    if spare:
        probes.append(spare[0])
    elif not probes:
        probes.append(_GENERIC_PROBES[len(used) % len(_GENERIC_PROBES)])
    used.update(probes)
    return tuple(probes)
