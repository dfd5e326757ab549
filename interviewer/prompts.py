"""Render the prompts in `prompts/` strictly, and keep candidate text fenced: the one trust
boundary between candidate text and a model.

Trust boundary
--------------
* Template files are ours. Values substituted into the SYSTEM templates come only from the bank
  (the question, and for the grader the key points); candidate text never reaches
  `RenderedPrompt.system`. No request carries the sample answer, and a probe request names only
  its target key point: each call gets the bank text it needs, and a model that never read the
  rest cannot give it away (the giveaway check, `providers.giveaway`, still compares every probe
  with the sample answer and the key points). Feedback points into the sample answer by our own
  code (`grading.pointers`).
* Candidate answers (and probes a model wrote, and the earlier quotes a later grader call is
  shown for its partial points, `Carried`) go only in the user message, each neutralised
  (`neutralise`) and between two delimiter lines carrying a random marker (`new_fence`),
  followed by a reminder that the fenced text is data to be assessed, not instructions. The
  marker is unguessable, so an answer cannot close its own fence; `neutralise` defangs anything
  that imitates our delimiters or the chat-template tokens models are trained on, so the text
  cannot pretend to be a new turn or a system message either.
* Neutralisation is visible and looks reversible (angle brackets become ‹ ›, a zero-width space
  breaks up turn prefixes and code fences): the grader still reads what the candidate meant, and
  `restore` maps evidence quotes back to the candidate's own characters.
* Answers arrive already cut to the grader's length limit (`engine.grading.cut_answers`); a cut
  one carries a visible notice after its fence.

Rendering is pure: pass `fence="FENCE0"` and the same request always renders the same bytes
(record/replay fingerprints requests that way).
"""

from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal, Protocol

from interviewer.domain import Carried, Exchange, KeyPoint, Question
from interviewer.text.sanitize import drop_invisible

# -- the fence: random delimiters and neutralisation of look-alikes --------------------
ZWSP = "\u200b"

_OPEN = "<<<"
_CLOSE = ">>>"

# Tag-like chat-template tokens: <|im_start|>, <|eot_id|>, <|endoftext|> ... (any <|...|>).
# DeepSeek's tokens use a fullwidth bar: <｜User｜>, <｜end▁of▁sentence｜>.
_PIPE_TOKEN = re.compile(r"<[|｜]([^<>|｜\n]{0,40})[|｜]>")
_PIPE_OPEN = re.compile(r"<[|｜]")
_PIPE_CLOSE = re.compile(r"[|｜]>")
# Runs of two or more angle brackets: our own <<< >>> delimiters, Llama 2's <<SYS>> / <</SYS>>.
_LT_RUN = re.compile(r"<{2,}")
_GT_RUN = re.compile(r">{2,}")
# Bare special tags: </s>, <s>, <start_of_turn>, <end_of_turn>, <bos>, <eos>, <system>, ...
_SPECIAL_TAG = re.compile(
    r"<(/?)(s|bos|eos|pad|unk|start_of_turn|end_of_turn|system|user|assistant|human|"
    r"im_start|im_end|endoftext|eot_id|instructions?)>",
    re.IGNORECASE,
)
# Llama 2 / Mistral instruction brackets.
_INST = re.compile(r"\[(/?)(INST|SYS)\]", re.IGNORECASE)
# Turn prefixes at line start, as in the Anthropic legacy and many chat formats.
_TURN_PREFIX = re.compile(
    r"^([ \t>]*)(human|assistant|system|user|ai|developer|tool)([ \t]*):",
    re.IGNORECASE | re.MULTILINE,
)
_BACKTICKS = re.compile(r"`{3,}")
_TILDES = re.compile(r"~{3,}")


def _spaced(match: re.Match[str]) -> str:
    return ZWSP.join(match.group(0))


def neutralise(text: str) -> str:
    """Defang delimiter and chat-template look-alikes in `text`; ordinary prose is unchanged."""
    # What a reviewer cannot see must not reach the model (the set is sanitize.INVISIBLE).
    out = drop_invisible(text)
    out = _PIPE_TOKEN.sub(lambda m: f"‹|{m.group(1)}|›", out)
    out = _PIPE_OPEN.sub("‹|", out)
    out = _PIPE_CLOSE.sub("|›", out)
    out = _LT_RUN.sub(lambda m: "‹" * len(m.group(0)), out)
    out = _GT_RUN.sub(lambda m: "›" * len(m.group(0)), out)
    out = _SPECIAL_TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}›", out)
    out = _INST.sub(lambda m: f"[{ZWSP}{m.group(1)}{m.group(2)}]", out)
    out = _TURN_PREFIX.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{ZWSP}:", out)
    out = _BACKTICKS.sub(_spaced, out)
    return _TILDES.sub(_spaced, out)


def restore(text: str) -> str:
    """Undo what `neutralise` visibly changed, for matching a model's quote to the raw answer."""
    return text.replace(ZWSP, "").replace("‹", "<").replace("›", ">")


FENCE_BYTES = 8
"""64 random bits, 16 hex digits: unguessable for the one request it lives in, and each fence
line costs fewer tokens than 32 digits did (hex tokenizes at 2-3 characters a token)."""


def new_fence(avoid: Iterable[str]) -> str:
    """A random marker (16 hex digits) that occurs in none of the `avoid` texts."""
    texts = [text.lower() for text in avoid]
    while True:
        fence = secrets.token_hex(FENCE_BYTES)
        if not any(fence in text for text in texts):
            return fence


def break_marker(text: str, fence: str) -> str:
    """Make sure `fence` does not occur in `text` (only matters for a fixed, guessable fence)."""
    if not fence or fence.lower() not in text.lower():
        return text
    pattern = re.compile(re.escape(fence), re.IGNORECASE)
    return pattern.sub(lambda m: m.group(0)[0] + ZWSP + m.group(0)[1:], text)


def fenced(text: str, fence: str, label: str = "ANSWER") -> str:
    """`text` (already neutralised) between our two delimiter lines."""
    return f"{_OPEN}BEGIN {label} {fence}{_CLOSE}\n{text}\n{_OPEN}END {label} {fence}{_CLOSE}"


# -- rendering ----------------------------------------------------------------------

__all__ = [
    "ChatMessage",
    "PromptTemplateError",
    "RenderedPrompt",
    "json_instructions",
    "neutralise",
    "new_fence",
    "render_assess",
    "render_feedback",
    "render_grade",
    "render_probe",
    "render_repair",
    "render_template",
    "restore",
]


class PromptTemplateError(ValueError):
    """A template and the values given for it disagree (a bug in our code or templates)."""


# Requests are described structurally so this module need not import `interviewer.providers`
# (prompts sit below providers in the layer contract).
class _ProbeLike(Protocol):
    @property
    def question(self) -> Question: ...
    @property
    def exchanges(self) -> tuple[Exchange, ...]: ...
    @property
    def target_key_point_ids(self) -> tuple[str, ...]: ...
    @property
    def probe_number(self) -> int: ...


class _GradeLike(Protocol):
    @property
    def question(self) -> Question: ...
    @property
    def exchanges(self) -> tuple[Exchange, ...]: ...
    @property
    def earlier(self) -> Carried | None: ...


class _Verdicts(Protocol):
    @property
    def key_point_id(self) -> str: ...
    @property
    def verdict(self) -> str: ...


class _Quoted(_Verdicts, Protocol):
    @property
    def evidence(self) -> str | None: ...


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class RenderedPrompt:
    task: Literal["probe", "grade", "assess", "feedback"]
    system: str
    """Instructions and the question (and for the grader the key points). Never candidate
    text."""
    messages: tuple[ChatMessage, ...]
    """Candidate text appears only here, neutralised and fenced."""
    fence: str
    """The random delimiter marker of this request."""
    truncated: bool
    """At least one answer arrived cut to the grader's length limit (`Exchange.truncated`)."""


@cache
def _load(name: str) -> str:
    return files("interviewer._prompts").joinpath(f"{name}.md").read_text(encoding="utf-8")


def template_names() -> tuple[str, ...]:
    """Every template in prompts/, by name (to recognise any of our words echoed)."""
    folder = files("interviewer._prompts")
    return tuple(sorted(f.name[:-3] for f in folder.iterdir() if f.name.endswith(".md")))


def template_text(name: str) -> str:
    """prompts/`name`.md as written, placeholders and all (to recognise our words echoed)."""
    return _load(name)


def render_template(name: str, values: Mapping[str, str]) -> str:
    """Render prompts/`name`.md; a missing, unused or malformed `$placeholder` raises."""
    template = string.Template(_load(name))
    if not template.is_valid():
        raise PromptTemplateError(f"prompts/{name}.md: malformed $ placeholder (write $$ for $)")
    wanted = set(template.get_identifiers())
    given = set(values)
    if wanted != given:
        missing = ", ".join(sorted(wanted - given)) or "none"
        unknown = ", ".join(sorted(given - wanted)) or "none"
        raise PromptTemplateError(
            f"prompts/{name}.md: placeholders disagree (missing: {missing}; unknown: {unknown})"
        )
    return template.substitute(values).strip()


def _key_points(points: Iterable[KeyPoint]) -> str:
    return "\n".join(f"- {point.id}: {point.text}" for point in points)


def _transcript(exchanges: Sequence[Exchange], fence: str) -> str:
    # The question itself is in the system prompt (bank text): not sent twice. No "answer N:"
    # labels either: each fence line says what it holds, and the order is the interview's.
    blocks: list[str] = []
    for exchange in exchanges:
        block = ""
        if exchange.kind == "probe":
            # Probes were written by a model that read candidate text: a steered probe must not
            # sit outside the fence, where it would read as our own words.
            probe = fenced(break_marker(neutralise(exchange.prompt), fence), fence, "PROBE")
            block = f"{probe}\n"
        answer = exchange.answer
        if answer.strip():
            block += fenced(break_marker(neutralise(answer), fence), fence)
        else:
            block += "(no answer given)"
        if exchange.truncated:
            block += "\n[answer truncated: the candidate wrote more than the grader reads]"
        if exchange.interrupted:
            block += "\n[the probe was cut off before the candidate answered it]"
        blocks.append(block)
    return "\n\n".join(blocks)


def _choose_fence(
    exchanges: Iterable[Exchange], fence: str | None, quotes: Iterable[str] = ()
) -> str:
    if fence is not None:
        return fence
    texts: list[str] = list(quotes)
    for exchange in exchanges:
        texts += [exchange.prompt, exchange.answer]
    return new_fence(texts)


def render_probe(request: _ProbeLike, *, fence: str | None = None) -> RenderedPrompt:
    """The prompt for one follow-up probe aimed at the first target key point."""
    question = request.question
    # Only the newest exchange (the latest answer, and the probe it answered): the probe reacts
    # to what was just said, and the earlier turns would be paid for again with every probe.
    newest = request.exchanges[-1:]
    marker = _choose_fence(newest, fence)
    # No key points and no sample answer: the probe needs only its target (below).
    system = render_template("probe_system", {"question": question.text})
    transcript = _transcript(newest, marker)
    if request.target_key_point_ids:
        target = question.key_point(request.target_key_point_ids[0]).text
    else:
        target = "whatever the candidate's answer left thinnest"
    # The target is bank text, yet it goes in the user turn so the system prompt stays the same
    # for every probe of a question (a stable prefix for prompt caching).
    user = render_template(
        "probe_user",
        {
            "transcript": transcript,
            "reminder": render_template("fence_reminder", {"fence": marker}),
            "probe_number": str(request.probe_number),
            "target": target,
        },
    )
    return RenderedPrompt(
        task="probe",
        system=system,
        messages=(ChatMessage("user", user),),
        fence=marker,
        truncated=any(exchange.truncated for exchange in newest),
    )


def render_grade(request: _GradeLike, *, fence: str | None = None) -> RenderedPrompt:
    """The prompt for grading every answer given to one question."""
    return _render_graded(request, "grade", "grade_user", {}, fence)


def render_assess(request: _GradeLike, *, fence: str | None = None) -> RenderedPrompt:
    """The prompt for assessing the answers so far: verdicts only. Its system prompt is the
    grading one, so every call about a question shares one cacheable prefix."""
    return _render_graded(request, "assess", "assess_user", {}, fence)


def render_feedback(
    request: _GradeLike, verdicts: Sequence[_Verdicts], *, fence: str | None = None
) -> RenderedPrompt:
    """The prompt for strengths, gaps and feedback on verdicts already decided (by the last
    assessment): the closing call of a question that was assessed."""
    listed = "\n".join(f"- {v.key_point_id}: {v.verdict}" for v in verdicts)
    return _render_graded(request, "feedback", "feedback_user", {"verdicts": listed}, fence)


def _render_graded(
    request: _GradeLike,
    task: Literal["grade", "assess", "feedback"],
    template: str,
    extra: Mapping[str, str],
    fence: str | None,
) -> RenderedPrompt:
    question = request.question
    earlier = request.earlier if task != "feedback" else None
    exchanges = request.exchanges[earlier.answers :] if earlier else request.exchanges
    partial = earlier.partial() if earlier else ()
    quotes = [v.evidence or "" for v in partial]
    marker = _choose_fence(exchanges, fence, quotes)
    points = question.key_points
    if earlier is not None:
        # Covered points are settled (the engine carries them forward): not asked again.
        open_ids = earlier.open_ids(question)
        points = tuple(point for point in question.key_points if point.id in open_ids)
    system = render_template(
        "grade_system", {"question": question.text, "key_points": _key_points(points)}
    )
    transcript = _transcript(exchanges, marker)
    if earlier is not None:
        transcript = f"{_earlier(partial, marker)}\n\n{transcript}"
    values = {
        "transcript": transcript,
        "reminder": render_template("fence_reminder", {"fence": marker}),
        **extra,
    }
    if task != "assess":
        values["prose"] = render_template("prose", {})
    user = render_template(template, values)
    return RenderedPrompt(
        task=task,
        system=system,
        messages=(ChatMessage("user", user),),
        fence=marker,
        truncated=any(exchange.truncated for exchange in exchanges),
    )


def _earlier(partial: Sequence[_Quoted], fence: str) -> str:
    """What a later grader call is told of the earlier answers: that they were assessed, and
    the quotes of the points judged partial, fenced like any candidate text (one line each)."""
    if not partial:
        return render_template("earlier", {})
    # One line per quote: a newline in a quote must not start what looks like another entry.
    said = (" ".join((v.evidence or "").split()) for v in partial)
    lines = "\n".join(
        f"- {v.key_point_id}: {break_marker(neutralise(quote), fence)}"
        for v, quote in zip(partial, said, strict=True)
    )
    return render_template("earlier_partial", {"quotes": fenced(lines, fence, "EARLIER")})


def json_instructions(schema: Mapping[str, Any]) -> str:
    """System-prompt addendum for servers without structured output: reply with JSON only."""
    # One line (indentation costs tokens on every line), keys in the bank's order of key points.
    return render_template("grade_json", {"schema": json.dumps(schema)})


def render_repair(error: str) -> str:
    """The user turn that sends a validation error back for one repair attempt."""
    return render_template("repair", {"error": error})
