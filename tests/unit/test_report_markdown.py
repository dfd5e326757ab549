"""The Markdown report renders as intended: parsed by a real CommonMark/GFM parser
(markdown-it-py, as a viewer would), its heading tree is exactly the report's, every line of an
answer sits inside a blockquote, titles are whole, verdicts name the key point, and nothing the
candidate (or a model) wrote adds a heading, link, image, HTML or code block of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from interviewer.domain import (
    REJECTED_QUOTE_LABEL,
    SCRIPTED_FLAG,
    SCRIPTED_NOTE,
    Evaluation,
    KeyPointVerdict,
    Verdict,
)
from interviewer.report import Report, evaluation_text, to_markdown
from interviewer.tui.screens.feedback import feedback_markdown
from tests.fakes import make_question

LONG_TITLE = (
    "Walk me through how you would assess a retrieval-augmented assistant for data leakage "
    "before it reaches production, end to end"
)
HOSTILE_ANSWER = (
    "I would start with the access model.\n"
    "Then I would check every connector.\n"
    "\n"
    "# Heading from the answer\n"
    "[x](http://evil.example) and http://bare.example and www.bare.example a@b.example\n"
    "![img](http://evil.example/i.png) <script>alert(1)</script>\n"
    "```\n"
    "code fence\n"
    "```\n"
    "Setext underline below\n"
    "===\n"
    "- a list item\n"
    "1. a numbered item\n"
    "| a | table |\n"
    "    indented four\n"
    "[@click=app.quit]markup[/] $x$ &amp; ~~struck~~\n"
    "\n"
    "Third paragraph, last line."
)
PROBE = "# A probe heading? See [docs](http://evil.example)\n\nSecond probe paragraph."
FEEDBACK = "## Feedback heading\n\n<b>bold</b> [link](http://evil.example)"
MARKUP_TOKENS = {"link_open", "image", "html_inline", "html_block", "fence", "code_block"}
MARKUP_TOKENS |= {"code_inline", "s_open", "ordered_list_open", "table_open"}


def make_report(*, flags: tuple[str, ...] = ("evidence_rejected:confirm-signals",)) -> Report:
    evaluation: dict[str, Any] = {
        "question_id": "q1",
        "score": 4.0,
        "verdicts": [
            {
                "key_point_id": "access-model",
                "verdict": "covered",
                "evidence": "I would start with the access model.",
            },
            {
                "key_point_id": "confirm-signals",
                "verdict": "missed",
                "evidence": "I confirmed every signal [x](http://evil.example)",
            },
        ],
        "strengths": ["# strength heading"],
        "gaps": ["<i>gap</i>"],
        "feedback": FEEDBACK,
        "grader": "fake",
        "flags": list(flags),
    }
    question: dict[str, Any] = {
        "question_id": "q1",
        "question": LONG_TITLE,
        "difficulty": "hard",
        "exchanges": [
            {"kind": "question", "prompt": LONG_TITLE, "answer": HOSTILE_ANSWER},
            {"kind": "probe", "prompt": PROBE, "answer": "Second answer.\n\n# not a heading"},
        ],
        "probes": [PROBE],
        "evaluation": evaluation,
        "duration_s": 61.0,
        "usage": {},
        "key_points": {
            "access-model": "Checks who may read which document through the assistant",
            "confirm-signals": "Confirms leakage with canary documents and signals",
        },
    }
    second = {
        **question,
        "question_id": "q2",
        "question": "Short one?",
        "exchanges": [{"kind": "question", "prompt": "Short one?", "answer": "Yes."}],
        "probes": [],
        "evaluation": None,
    }
    return Report.model_validate(
        {
            "session_id": "2026-01-01-abc",
            "bank_id": "ai-security",
            "mode": "interview",
            "interviewer": "fake",
            "grader": "fake",
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": None,
            "finished": False,
            "questions": [question, second],
            "overall_score": 4.0,
            "usage": {},
        }
    )


@dataclass
class Rendered:
    tokens: list[Token]
    headings: list[tuple[str, str]]
    """(tag, text) of every heading, in order."""
    quoted: list[str]
    """The text of every inline inside a blockquote (soft breaks as newlines)."""
    outside: list[str]
    """The text of every inline outside one."""


def render(markdown: str) -> Rendered:
    tokens = MarkdownIt("gfm-like").parse(markdown)  # tables, strikethrough, linkify on
    headings: list[tuple[str, str]] = []
    quoted: list[str] = []
    outside: list[str] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
        elif token.type == "heading_open":
            headings.append((token.tag, shown(tokens[index + 1])))
        elif token.type == "inline":
            (quoted if depth else outside).append(shown(token))
    return Rendered(tokens, headings, quoted, outside)


def shown(inline: Token) -> str:
    """What a viewer shows for an inline token: its text with the escapes undone."""
    return "".join(
        "\n" if child.type == "softbreak" else child.content for child in inline.children or []
    )


def all_types(tokens: list[Token]) -> set[str]:
    types: set[str] = set()
    for token in tokens:
        types.add(token.type)
        types |= all_types(token.children or [])
    return types


def test_the_heading_tree_is_exactly_the_reports() -> None:
    rendered = render(to_markdown(make_report()))
    assert rendered.headings == [
        ("h1", "Interview report: ai-security"),
        ("h2", f"1. {LONG_TITLE}"),
        ("h2", "2. Short one?"),
    ]


def test_every_line_of_every_answer_is_inside_a_blockquote_as_typed() -> None:
    rendered = render(to_markdown(make_report()))
    # markdown-it reads the whole quote back: each line exactly as typed (the escapes undone,
    # trailing spaces aside), every paragraph of it inside the quote.
    quoted = "\n\n".join(rendered.quoted)
    for line in HOSTILE_ANSWER.splitlines():
        assert line.strip() in quoted, line
    second = rendered.quoted.index("Second answer.")
    assert rendered.quoted[second : second + 3] == ["Second answer.", "# not a heading", "Yes."]
    evidence = "I would start with the access model."  # quoted again on its verdict line
    for line in (*HOSTILE_ANSWER.splitlines(), "# not a heading"):
        if line.strip() and line != evidence:
            assert not any(line.strip() in text for text in rendered.outside), line


def test_hostile_text_adds_no_link_heading_html_or_code_anywhere() -> None:
    rendered = render(to_markdown(make_report()))
    assert not all_types(rendered.tokens) & MARKUP_TOKENS - {"table_open"}
    assert [t.type for t in rendered.tokens].count("table_open") == 1  # the summary only
    # The evil URLs are plain text (linkify found nothing to link), not hrefs.
    assert not any(token.attrs for token in rendered.tokens)
    outside = "\n".join(rendered.outside)
    assert "# A probe heading? See [docs](http://evil.example)" in outside
    assert "## Feedback heading" in outside and "<b>bold</b>" in outside
    assert "# strength heading" in outside and "<i>gap</i>" in outside


def test_no_question_label_repeats_the_heading_and_titles_are_whole() -> None:
    markdown = to_markdown(make_report())
    rendered = render(markdown)
    assert "**Question:**" not in markdown
    assert "Question:" not in "\n".join(rendered.outside)
    table_cells = [shown(t) for t in rendered.tokens if t.type == "inline"]
    assert LONG_TITLE in table_cells  # the summary table's cell, not cut at 70 characters
    assert sum(text == LONG_TITLE for text in table_cells) == 1
    assert any(text.startswith("Probe 1:") for text in rendered.outside)


def test_verdicts_name_the_key_point_and_a_rejected_quote_is_not_yours() -> None:
    outside = render(to_markdown(make_report())).outside
    assert (
        "covered: Checks who may read which document through the assistant — you said: "
        '"I would start with the access model."'
    ) in outside
    rejected = [text for text in outside if "Confirms leakage with canary" in text]
    assert rejected == [
        "missed: Confirms leakage with canary documents and signals — "
        f'{REJECTED_QUOTE_LABEL}: "I confirmed every signal [x](http://evil.example)"'
    ]
    assert not any("confirm-signals" in text for text in outside)  # no rubric id anywhere
    assert not any("you said" in text for text in rejected)


def test_a_scripted_evaluation_says_so_in_the_table_and_the_section() -> None:
    outside = render(to_markdown(make_report(flags=(SCRIPTED_FLAG,)))).outside
    assert "4.0 (scripted)" in outside
    assert "Scripted replay: 4.0 / 10, not a grade of you (graded by fake)" in outside
    assert SCRIPTED_NOTE in outside
    assert not any(text == "scripted" for text in outside)  # the flag is not a bare note


def test_a_report_written_before_key_points_were_kept_falls_back_to_the_id() -> None:
    data = make_report().model_dump(mode="json")
    for question in data["questions"]:
        del question["key_points"]
    outside = render(to_markdown(Report.model_validate(data))).outside
    assert any(text.startswith("missed: confirm-signals — ") for text in outside)


def scripted_evaluation() -> Evaluation:
    return Evaluation(
        question_id="q1",
        score=1.0,
        verdicts=(
            KeyPointVerdict(key_point_id="kp1", verdict=Verdict.COVERED, evidence="I said this"),
            KeyPointVerdict(key_point_id="kp2", verdict=Verdict.MISSED, evidence="never said"),
        ),
        strengths=("A strong, well-structured story.",),
        feedback="A strong, well-structured story.",
        grader="replay:scripted-demo",
        flags=("evidence_rejected:kp2", SCRIPTED_FLAG),
    )


def test_feedback_screen_and_headless_text_label_the_script_and_the_rejected_quote() -> None:
    evaluation = scripted_evaluation()
    screen = feedback_markdown(make_question("q1", points=2), evaluation, sample=False)
    assert screen.startswith("## Scripted replay: 1.0 / 10, not a grade of you\n")
    assert "  - you said: “I said this”" in screen
    assert f"  - {REJECTED_QUOTE_LABEL}: “never said”" in screen
    assert "### Strengths (scripted for the recorded answers)" in screen
    assert "### Feedback (scripted for the recorded answers)" in screen
    assert "Notes:" not in screen  # the flags are said in words, not listed
    text = evaluation_text(evaluation)
    assert text.startswith("Scripted replay: 1.0 / 10, not a grade of you (graded by ")
    assert SCRIPTED_NOTE in text
    assert f'missed: kp2 — {REJECTED_QUOTE_LABEL}: "never said"' in text
    assert 'covered: kp1 — "I said this"' in text


def test_an_unscripted_evaluation_keeps_its_plain_score_and_headings() -> None:
    evaluation = scripted_evaluation().model_copy(update={"flags": ("evidence_rejected:kp2",)})
    screen = feedback_markdown(make_question("q1", points=2), evaluation, sample=False)
    assert screen.startswith("## Score: 1.0 / 10\n") and SCRIPTED_NOTE not in screen
    assert "### Feedback\n" in screen
    assert f"  - {REJECTED_QUOTE_LABEL}: “never said”" in screen
    assert evaluation_text(evaluation).startswith("Score: 1.0 / 10 (graded by ")
