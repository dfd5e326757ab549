"""Fencing untrusted candidate text: random delimiters and neutralisation of look-alikes.

Candidate answers reach a model only between two delimiter lines that carry a random marker
(`new_fence`). The marker is unguessable, so an answer cannot close its own fence; `neutralise`
additionally defangs anything that imitates our delimiters or the chat-template tokens models are
trained on, so the text cannot pretend to be a new turn or a system message either.

Neutralisation is visible and looks reversible (angle brackets become ‹ ›, a zero-width space
breaks up turn prefixes and code fences): the grader still reads what the candidate meant, and
`restore` maps evidence quotes back to the candidate's own characters.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

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
# Characters a human reviewer cannot see but a model reads: Unicode tag characters (a whole
# hidden ASCII alphabet), bidi overrides and isolates, zero-width characters. An answer has no
# legitimate use for them, and hidden instructions must not reach the grader, so they go.
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\u200b-\u200d\u2060\ufeff\u180e]"
)
_TILDES = re.compile(r"~{3,}")


def _spaced(match: re.Match[str]) -> str:
    return ZWSP.join(match.group(0))


def neutralise(text: str) -> str:
    """Defang delimiter and chat-template look-alikes in `text`; ordinary prose is unchanged."""
    out = _INVISIBLE.sub("", text)
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


def new_fence(avoid: Iterable[str]) -> str:
    """A random marker (32 hex digits) that occurs in none of the `avoid` texts."""
    texts = [text.lower() for text in avoid]
    while True:
        fence = secrets.token_hex(16)
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
