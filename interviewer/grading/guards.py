"""Recognise answer text that must not earn credit: words addressed to the grader, code, and bare
lists of key terms.

Candidate text is untrusted. A sentence that talks to the grader ("ignore the rubric", "SYSTEM:",
a fake JSON verdict) is never used as evidence, so injected text can only lower a score, never
raise it. The patterns aim at the grader and the score, not at the topic: answers about prompt
injection legitimately say "system prompt" or "untrusted instructions".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from interviewer.grading.text import Span, split_sentences, stopword_ratio
from interviewer.text.sanitize import clean_line
from interviewer.text.words import STOPWORDS, words

# "SYSTEM:", "[assistant]:", "Grader >" at the start of a sentence or line (mid-sentence,
# "for this system: ..." is ordinary prose).
_ROLE_MARKER = (
    r"(?:^|\n)\s*[\[<(]?\s*(?:system|assistant|developer|grader|evaluator|admin|instructions?)"
    r"\s*[\]>)]?\s*[:>]"
)

# Nouns that make "the candidate ..." / "the student ..." about a model, not a person.
_ML_NOUN = (
    r"(?:models?|checkpoints?|networks?|nets?|llms?|weights|versions?|releases?|builds?|"
    r"classifiers?|detectors?|systems?|pipelines?|polic(?:y|ies)|embeddings?|adapters?|"
    r"encoders?|decoders?|generators?|architectures?|runs?|configs?|configurations?|"
    r"snapshots?|artifacts?|artefacts?|images?|deployments?)\b"
)

# Where a command starts: the start of a sentence, line, clause or quote, after "please", "now",
# "so"..., or after "you must" / "I want you to". "tells the model to ignore" does not qualify.
_COMMAND = (
    r"(?:(?:^|(?<=[\n:;,(\[\"\u201c\u2018'\u2014\u2013])|(?<=\s-\s))\s*"
    r"(?:(?:please|now|just|simply|so|then|also|first|kindly|and|but|instead|finally)\s+)*|"
    r"\byou\s+(?:must|should|will|need\s+to|have\s+to|are\s+to|shall)\s+(?:now\s+|also\s+)?|"
    r"\bi\s+(?:want|need|ask|order|instruct|command)\s+you\s+to\s+|"
    r"\byou\s+are\s+(?:required|instructed|asked|ordered)\s+to\s+)"
)

# About the grading and the score: set aside wherever they stand, even inside quotes.
_GRADING_PATTERNS = [
    # Talking about the grading itself.
    r"\brubrics?\b",
    r"(?<![-\w])grad(?:e|er|ers|ing|ed)\b(?!-)",
    r"\b(?:evaluator|examiner|assessor)s?\b",
    # "the candidate" is the grader's word for the person answering; "the candidate model", "the
    # student network" are ordinary ML (model selection, distillation).
    r"\bthe\s+(?:candidate|interviewee|applicant|respondent|student)\b"
    r"(?![-\s]+(?:(?:and|or)\s+\w+\s+)?" + _ML_NOUN + r")",
    r"\bkey[ _-]?points?\b[^.!?\n]{0,40}\b(?:covered|addressed|met|satisfied|hit|present)\b",
    r"\ball\s+(?:the\s+|of\s+the\s+)?key[ _-]?points?\b",
    r"\bkey_point",
    r"\bverdicts?\b",
    r"\b(?:full|maximum|max|perfect|top|highest|best)\s+(?:marks?|score|points|grade|rating)\b",
    # "10/10", "9 out of 10 points", but not a count of things ("3 out of 10 prompts leaked").
    r"\b\d{1,3}\s*(?:/|out\s+of)\s*(?:10|100)\b(?!\s+(?!(?:points?|marks?|stars?)\b)[a-z])",
    r"\b(?:score|grade|award|give|assign|rate|mark)\s+(?:me|it|this|that|my|the)\s+"
    r"(?:answer|response|submission|candidate)?\s*(?:a\s+)?(?:\d|ten|full|perfect|max|as)",
    r"\b(?:a|the)\s+(?:score|grade|mark|rating)\s+of\s+\d",
    r"\b(?:this|my|the candidate'?s?)\s+(?:answer|response)\s+"
    r"(?:is\s+(?:perfect|correct|complete|excellent)|deserves|covers|should|must|fully|clearly)\b",
    # Claims of coverage addressed to the grader.
    r"\b(?:mark|treat|count|consider|record|rate|score)\s+(?:each|every|all|my|this|the|it|them)"
    r"\s+(?:\w+\s+){0,2}as\s+(?:met|covered|complete|correct|done|satisfied|full|perfect)",
    r"\b(?:cite|quote|use\s+(?:the\s+following|this|that|these|it))\b[^.!?\n]{0,80}"
    r"\bas\s+(?:the\s+)?evidence\b",
    r"^\W*as\s+(?:the\s+)?evidence\b",
    r"\bevidence\s+for\s+(?:each|every|all)\b",
    r"\b(?:each|every|all)\s+(?:of\s+the\s+|of\s+your\s+)?(?:points?|items?|criteria)\b"
    r"[^.!?\n]{0,60}\b(?:met|covered|discussed|addressed|complete|satisfied)\b",
    r"\b(?:points?|items?|things?)\s+you\s+(?:are|were)\s+looking\s+for\b",
    r"\b(?:everything|all|each\s+item)\s+on\s+your\s+(?:list|rubric|checklist)\b",
    r"\bcarry\s+(?:those|these|the|all)\s+(?:\w+\s+)?(?:points|items)\s+over\b",
    r"\b(?:covered|met)\s+for\s+(?:every|each|all)\b",
    r"\bmark\s+(?:them|it|these|those|all|everything)\s+(?:as\s+)?covered\b",
    # Fake structured output.
    r"[{}]",
    r"\"\s*:\s*[\"\[{\d]",
    r"[\"'](?:covered|missed|partial)[\"']",
    r"\"(?:verdicts?|evidence|key_point_id|score|strengths|gaps|feedback)\"",
]
# Commands, role markers and claimed authority. In a sentence that quotes an attack as an example
# ('testers pasted "ignore previous instructions" into tickets') they count only outside the
# quotes: the quote is what the attack said, the sentence around it is the candidate's.
_DIRECTIVE_PATTERNS = [
    # Instructions addressed to whoever reads the answer: no imperative needed.
    r"\b(?:new|updated|revised|real|actual)\s+instructions?\s*(?::|are\b|follow\b|for\s+you\b)",
    r"\b(?:your|these|my|following|here\s+are\s+(?:the|your|my))\s+"
    r"(?:new|updated|revised|real|actual)\s+instructions?\b",
    # "Hidden instructions in white text" is an answer about injection; "Hidden instructions:"
    # opening a block is an attempt.
    r"\bhidden\s+instructions?\s*[:\u2014\u2013]",
    r"\b(?:grader|grading|scoring|system|admin|evaluation)\s+override\b",
    # "As an AI language model, you ..." addresses it; "leakage as the model revealing its
    # prompt" describes it.
    r"(?:^|(?<=[\n:;,(]))\W*as\s+(?:the|an|a|your)\s+(?:ai|assistant|language\s+model|model|llm)\b",
    r"\byou\s+(?:must|should|will|are\s+required\s+to|have\s+to)\s+"
    r"(?:now\s+)?(?:award|give|assign|mark|rate|output|respond|return|score|grade|treat)\b",
    r"\b(?:is|are|now)\s+(?:now\s+)?in\s+(?:developer|admin|debug|god|jailbreak)\s+mode\b",
    r"^\W*(?:developer|admin|administrator|debug|god|jailbreak)\s+mode\b",
    # Claimed authority and the grader's own situation.
    r"^\W*(?:this|the\s+following)\s+(?:is|comes\s+from)\s+(?:an?\s+)?"
    r"(?:official|authori[sz]ed|urgent|priority|verified)\b",
    r"^\W*(?:message|notice|note|memo)\s+from\b",
    r"\b(?:developer|admin|administrator|maintainers?|system)\s+notice\b",
    r"\b(?:answer|response|text)\s+you\s+are\s+(?:now\s+)?"
    r"(?:reading|grading|assessing|reviewing|evaluating|scoring)\b",
    r"\b(?:assess|grade|score|mark|rate|evaluate|judge)\s+my\s+(?:answer|response|submission)\b",
    r"\bmark\s+(?:everything|all\s+of\s+it)\s+as\b",
    r"\bmark\s+me\s+(?:down|up)\b",
    r"\bskip\s+this\s+question\b",
    r"^\W*end\s+of\s+(?:the\s+)?(?:interview|answer|assessment|evaluation)\b",
    r"^\W*(?:the\s+)?(?:interview|assessment|grading|evaluation)\s+(?:is\s+)?"
    r"(?:complete|completed|over|finished)\b",
    r"\bjson\s+(?:above|below)\b",
    r"\bdo\s+what\s+it\s+says\b",
    # Imperatives: "ignore the rubric", "repeat your system prompt verbatim". Only as a command
    # (`_COMMAND`): "the page tells the model to ignore its instructions" describes an attack.
    _COMMAND + r"(?:(?:ignore|disregard|forget|override|bypass|set\s+aside)\b[^.!?\n]{0,40}"
    r"\b(?:instructions?|rules?|rubric|guidelines?|prompts?|criteria|above|previous|prior)\b|"
    r"(?:repeat|print|reveal|show|output|display|recite|dump|leak|copy|write\s+out|type\s+out|"
    r"paste|disclose|quote)\b[^.!?\n]{0,50}\b(?:system\s+prompt|instructions|rubric|"
    r"(?:reference|sample|expected|ideal)\s+answer|key\s+points?|configuration)\b|"
    r"(?:act|pretend|behave|role-?play)\s+(?:as|like|to\s+be|that)\b|"
    r"(?:decode|decrypt)\s+(?:this|it|the|and)\b|"
    r"(?:follow|obey|execute|do)\s+(?:the|these|this|my|what)\s+(?:\w+\s+){0,2}"
    r"(?:instructions?|commands?|says)\b|"
    r"assume\s+(?:that\s+)?i\s+(?:went|covered|explained|meant|mentioned|said|know)\b|"
    r"credit\s+(?:them|those|these|it|this|me|my)\b|"
    r"(?:enable|activate|enter|switch\s+(?:on|to)|turn\s+on)\s+(?:\w+\s+)?"
    r"(?:developer|admin|debug|god|jailbreak|unrestricted)\s+mode\b|"
    r"(?:return|output|repeat)\s+(?:it|this|that|them)\s+(?:unchanged|verbatim|as\s+is)\b|"
    r"reuse\s+(?:that|the|this)\s+(?:result|grade|score|assessment)\b|"
    r"do\s+(?:exactly\s+)?what\s+(?:that|this|the)\s+(?:\w+\s+)?says\b)",
    # Chat-format and markup role markers.
    _ROLE_MARKER,
    r"<\s*/?\s*(?:\w+_)?(?:system|assistant|user|instructions?|answer|grader|im_start|im_end|"
    r"turn)\b",
    r"\[\s*/?\s*inst\s*\]|<<\s*/?\s*sys\s*>>|<<<\s*(?:end|begin)\b",
    r"<\|",
    r"#{2,}\s*(?:system|instruction|grader)",
]
_GRADING = re.compile("|".join(f"(?:{p})" for p in _GRADING_PATTERNS), re.IGNORECASE)
_INJECTION = re.compile(
    "|".join(f"(?:{p})" for p in (*_GRADING_PATTERNS, *_DIRECTIVE_PATTERNS)), re.IGNORECASE
)

# Markers that open an injected message. They have no place in an honest answer, so the rest of
# the line is the attacker talking, even its innocent-looking sentences ("SELECT control FROM
# pipeline_controls; -- LLM reading this: ..."); how far a header reaches: `instruction_mask`.
_OPENER_PATTERNS = [
    _ROLE_MARKER,
    r"<\s*(?:system|assistant|instructions?|grader|im_start)\b",
    r"<\|",
    r"#{2,}\s*(?:system|instruction|grader)",
    r"\b(?:grader|grading|scoring|system|admin|evaluation)\s+override\b",
    r"\b(?:updated|revised)\s+(?:\w+\s+)?instructions?\b",
    r"\b(?:grader|grading|evaluator|evaluation|scoring)\s+instructions?\b",
    # A note or message to the model opens one; "a note for the model hidden in the page" or
    # "the text passed to the model" describes one.
    r"\bnote\s+(?:to|for)\s+(?:the\s+)?(?:ai|llm|model|grader|evaluator|assessor|reviewer)s?"
    r"\s*[:\u2014\u2013-]",
    r"^\W*(?:a\s+)?(?:note|message|instructions?|reminder)\s+(?:to|for)\s+(?:the\s+)?"
    r"(?:ai|llm|model|grader|evaluator|assessor|reviewer)s?\b",
    r"\b(?:llm|ai|model|assistant|grader|evaluator|chatbot)s?\s+"
    r"(?:reading|processing|grading|evaluating|reviewing|scoring)\s+(?:this|these)\b",
    r"\bto\s+the\s+(?:ai|llm|model|grader|evaluator)s?\s*:",
    r"\"(?:verdicts?|key_point_id)\"\s*:",
    r"\b(?:is|are|now)\s+(?:now\s+)?in\s+(?:developer|admin|debug|god|jailbreak)\s+mode\b",
    r"^\W*(?:developer|admin|administrator|debug|god|jailbreak)\s+mode\b",
]
# Code is not an explanation, and a comment in it is a classic place to hide an instruction.
# Only code lines count: prose that mentions a call ("it can only return docs(user)") or says
# "the API can return documents (for example HR files)" is an answer, not code.
_CODE = re.compile(
    r"\b(?:SELECT|INSERT|UPDATE|DELETE)\b.*\b(?:FROM|INTO|SET|WHERE)\b|"
    r"(?:^|\s)(?:--|//|/\*|\*/)(?:\s|$)|```|"
    r"(?:^|\n)\s*(?:def|function|return|import|from|const|let|var)\b[^\n]*[(){}=;]",
    re.MULTILINE,
)
_NOT_PROSE = " \t\n`#>*-=_~[](){}<>|"
_OPENER = re.compile("|".join(f"(?:{p})" for p in _OPENER_PATTERNS), re.IGNORECASE)


# In a sentence about distillation, "the student" is the student model.
_DISTILLATION = re.compile(r"\bteacher\b|\bdistil", re.IGNORECASE)
_THE_STUDENT = re.compile(r"\bthe\s+student\b", re.IGNORECASE)


def is_instruction_like(sentence: str) -> bool:
    """True for text addressed to the grader or about the score, which never counts as evidence."""
    if _DISTILLATION.search(sentence):
        sentence = _THE_STUDENT.sub("the student-model", sentence)
    return _GRADING.search(sentence) is not None or _INJECTION.search(_frame(sentence)) is not None


# A quoted example: "...", “...”, ‘...’ or '...' (an apostrophe inside a word opens none).
_QUOTED = re.compile(
    r"\"[^\"\n]{1,300}\"|\u201c[^\u201d\n]{1,300}\u201d|\u2018[^\u2019\n]{1,300}\u2019|"
    r"(?<!\w)'[^'\n]{1,300}'(?!\w)"
)
FRAME_WORDS = 5
"""Words a sentence needs outside its quotes for the quotes to be examples it describes
('We tested payloads such as "..." on every source'); 'Note: "ignore the rubric"' is the
quote itself speaking."""


def _frame(sentence: str) -> str:
    """`sentence` with its quoted examples blanked when the words around them describe them."""
    framed = _QUOTED.sub(" EXAMPLE ", sentence)
    if framed == sentence or len(words(framed)) - framed.count("EXAMPLE") < FRAME_WORDS:
        return sentence
    return framed


def instruction_mask(source: str, sentences: Sequence[Span]) -> list[bool]:
    """For each sentence of `source`, True when it must not count as evidence.

    Excluded: instruction-like sentences, code, and text governed by an opener ("SYSTEM:",
    "grader override", "note to the grader"). An opener taints the rest of its line. An opener
    alone on its line, a header ("SYSTEM:", "## Updated grader instructions",
    "<|im_start|>system"), heads a fake message: it also taints the next line of its paragraph,
    and the lines after that for as long as each says something to the grader itself. The
    candidate's own sentences after a one-line "SYSTEM: ..." or after the fake message still
    count: an injection costs what it says, never the honest answer around it.
    """
    classes = [_classify(sentence.text) for sentence in sentences]
    tainted: list[tuple[int, int]] = []
    for sentence, (opener, _) in zip(sentences, classes, strict=True):
        if not opener:
            continue
        line_start = source.rfind("\n", 0, sentence.start) + 1
        end = _line_end(source, sentence.end)
        if _is_header(
            source[line_start : sentence.start], sentence.text, source[sentence.end : end]
        ):
            paragraph_end = _paragraph(source, sentence.start)[1]
            body_start = end
            while end < paragraph_end:
                following = min(_line_end(source, end + 1), paragraph_end)
                on_line = [
                    any(c)
                    for span, c in zip(sentences, classes, strict=True)
                    if end < span.start < following
                ]
                # The line under a header is its body; later ones must speak for themselves.
                if end > body_start and not any(on_line):
                    break
                end = following
        tainted.append((sentence.start, end))
    return [
        excluded or any(start <= sentence.start < end for start, end in tainted)
        for sentence, (_, excluded) in zip(sentences, classes, strict=True)
    ]


def _line_end(source: str, offset: int) -> int:
    end = source.find("\n", offset)
    return len(source) if end == -1 else end


HEADER_WORDS = 6
"""An opener alone on its line with at most this many words, or ending in a colon, is a header."""


def _is_header(before: str, sentence: str, after: str) -> bool:
    if before.strip(_NOT_PROSE) or after.strip(_NOT_PROSE):
        return False
    return len(words(sentence)) <= HEADER_WORDS or sentence.rstrip(_NOT_PROSE).endswith(":")


@lru_cache(maxsize=8192)
def _classify(sentence: str) -> tuple[bool, bool]:
    """(opens an injected message, excluded on its own: instruction-like or code).

    Both depend on the sentence text alone; cached because the same sentences come back often
    (the grader, then the evidence check, see every answer; re-grades see it again).
    """
    return (
        _OPENER.search(_frame(sentence)) is not None,
        is_instruction_like(sentence) or _CODE.search(sentence) is not None,
    )


IGNORED_QUOTE_CHARS = 160


def ignored_sentences(source: str) -> tuple[str, ...]:
    """The sentences of `source` that never count as evidence, in order, each at most
    `IGNORED_QUOTE_CHARS` long (cut with an ellipsis)."""
    spans = split_sentences(source)
    quoted: list[str] = []
    for span, excluded in zip(spans, instruction_mask(source, spans), strict=True):
        # Candidate text: shown in feedback and reports, so no escapes, one line.
        text = " ".join(clean_line(span.text).split())
        if excluded and text and text not in quoted:
            quoted.append(text)
    return tuple(
        q if len(q) <= IGNORED_QUOTE_CHARS else q[: IGNORED_QUOTE_CHARS - 1].rstrip() + "…"
        for q in quoted
    )


def trusted_text(source: str) -> str:
    """`source` with every excluded sentence blanked out, for checking a grader's quotes.

    A quote that only occurs in words addressed to the grader is no evidence of anything.
    """
    spans = split_sentences(source)
    pieces: list[str] = []
    last = 0
    for span, excluded in zip(spans, instruction_mask(source, spans), strict=True):
        if excluded:
            pieces.append(source[last : span.start])
            pieces.append(" \x00 ")  # a separator no quote can contain or span
            last = span.end
    pieces.append(source[last:])
    return "".join(pieces)


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _paragraph(source: str, offset: int) -> tuple[int, int]:
    start = 0
    for match in _BLANK_LINE.finditer(source, 0, offset):
        start = match.end()
    following = _BLANK_LINE.search(source, offset)
    return start, following.start() if following else len(source)


@lru_cache(maxsize=8192)  # pure; graders meet the same sentences again and again
def is_keyword_list(sentence: str) -> bool:
    """True for a bare list of terms (few function words, no sentence around them).

    Such text may show the candidate knows the vocabulary, but not that they can explain it, so
    it earns little credit. Two signs: almost no function words at all, or most of its words in
    short separated items without a single function word ("untrusted content, delimiters,
    sandboxing, least privilege tools, ..., minimize context"): an explanation that lists
    things still has a frame around the list.
    """
    tokens = words(sentence)
    if len(tokens) < 3:
        # "Rate limiting." alone says nothing about how or why.
        return True
    return stopword_ratio(sentence) < 0.12 or _bare_item_share(sentence, len(tokens)) >= 2 / 3


_LIST_SEPARATOR = re.compile(r"[,/+=;|()]|\s[-\u2013\u2014]\s")
BARE_ITEM_WORDS = 3
"""An item of a list this short, with no function word, is a term, not a statement."""


def list_share(sentence: str) -> float:
    """Share of the sentence's words that stand in short items without a function word, items
    separated by punctuation or by "and"/"or": "provenance and hashing and access control"."""
    tokens = words(sentence)
    return _bare_item_share(_CONJUNCTION.sub(",", sentence), len(tokens)) if tokens else 0.0


_CONJUNCTION = re.compile(r"\s+(?:and|or|plus|&)\s+", re.IGNORECASE)


def _bare_item_share(sentence: str, total: int) -> float:
    bare = 0
    for item in _LIST_SEPARATOR.split(sentence):
        tokens = words(item)
        if 0 < len(tokens) <= BARE_ITEM_WORDS and not any(t in STOPWORDS for t in tokens):
            bare += len(tokens)
    return bare / total
