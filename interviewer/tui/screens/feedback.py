"""Feedback on one question: score, key points with the candidate's own words, strengths, gaps,
and the sample answer when asked for."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen

from interviewer.domain import (
    COVERAGE_NOTE,
    REJECTED_QUOTE_LABEL,
    SCRIPTED_NOTE,
    Evaluation,
    Question,
)
from interviewer.report import score_line, verdict_word
from interviewer.text.sanitize import clean_for_terminal
from interviewer.tui.widgets.footer import KeysFooter
from interviewer.tui.widgets.safe import SafeStatic, escape_markdown
from interviewer.tui.widgets.safe_markdown import SafeMarkdown

_VERDICT_MARK = {"covered": "✔", "partly covered": "◐", "argued against": "✘", "missed": "✘"}


def feedback_markdown(
    question: Question, evaluation: Evaluation, *, sample: bool, practice: bool = False
) -> str:
    """The feedback as Markdown. Candidate and bank text is escaped so it shows as written; the
    grader's prose is Markdown by contract and only sanitised. In practice mode, or once the
    sample answer is shown, each missed or partial key point points to the sample answer's
    sentence that makes it (worked out by the engine: `Evaluation.pointers`)."""
    pointers = {p.key_point_id: p.sentence for p in evaluation.pointers}
    if not (practice or sample):
        pointers = {}
    scripted = evaluation.scripted
    lines = [f"## {score_line(evaluation)}", ""]
    if scripted:
        lines += [f"**{escape_markdown(SCRIPTED_NOTE)}**", ""]
    lines.append(f"Graded by {escape_markdown(evaluation.grader)}.")
    if evaluation.method == "coverage":
        lines += ["", f"_{escape_markdown(COVERAGE_NOTE)}_", ""]
    set_aside, notes = evaluation.set_aside, evaluation.notes
    if notes:
        lines.append(f"Notes: {escape_markdown(', '.join(notes))}.")
    if set_aside:
        lines += ["", "### Set aside", ""]
        lines.append("These sentences read as addressed to the grader (or as code), so they earn")
        lines.append("nothing:")
        lines += [f"- “{escape_markdown(sentence)}”" for sentence in set_aside]
    title = "The recording's verdicts, checked against your answers" if scripted else "Key points"
    lines += ["", f"### {title}", ""]
    for verdict in evaluation.verdicts:
        try:
            point = escape_markdown(question.key_point(verdict.key_point_id).text)
        except KeyError:
            point = escape_markdown(verdict.key_point_id)
        word = verdict_word(verdict)
        lines.append(f"- **{_VERDICT_MARK[word]} {word.capitalize()}**: {point}")
        if verdict.evidence:
            said = (
                REJECTED_QUOTE_LABEL
                if evaluation.quote_rejected(verdict.key_point_id)
                else "you said"
            )
            lines.append(f"  - {said}: “{escape_markdown(verdict.evidence)}”")
        if verdict.key_point_id in pointers:
            sentence = escape_markdown(pointers[verdict.key_point_id])
            lines.append(f"  - the sample answer: “{sentence}”")
    of_script = " (scripted for the recorded answers)" if scripted else ""
    for title, items in (("Strengths", evaluation.strengths), ("Gaps", evaluation.gaps)):
        if items:
            lines += ["", f"### {title}{of_script}", ""]
            lines += [f"- {clean_for_terminal(item)}" for item in items]
    if evaluation.feedback:
        lines += ["", f"### Feedback{of_script}", "", clean_for_terminal(evaluation.feedback)]
    if sample:
        lines += ["", "### Sample answer", "", clean_for_terminal(question.sample_answer)]
    else:
        lines += ["", "_Press **s** to reveal the sample answer._"]
    return "\n".join(lines) + "\n"


class FeedbackScreen(Screen[None]):
    """Shown after each question in practice mode, and from the report for any question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sample", "Sample answer"),
        Binding("escape,enter,c", "close", "Continue"),
    ]

    def __init__(
        self, number: int, question: Question, evaluation: Evaluation, *, practice: bool = False
    ) -> None:
        super().__init__()
        self._number = number
        self.question = question
        self.evaluation = evaluation
        self.practice = practice
        """Shown after a practice question: the pointers into the sample answer show at once."""
        self.sample_shown = False

    def compose(self) -> ComposeResult:
        yield SafeStatic(
            f"Feedback on question {self._number}: {self.question.text}", classes="title"
        )
        with VerticalScroll(id="feedback-scroll"):
            yield SafeMarkdown(
                feedback_markdown(
                    self.question, self.evaluation, sample=False, practice=self.practice
                ),
                id="feedback",
            )
        yield KeysFooter()

    async def action_sample(self) -> None:
        self.sample_shown = True
        markdown = feedback_markdown(
            self.question, self.evaluation, sample=True, practice=self.practice
        )
        await self.query_one("#feedback", SafeMarkdown).set_source(markdown)
        self.query_one("#feedback-scroll").scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
