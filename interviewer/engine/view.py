"""What callers read about a running interview (`Interview`'s read side): the header, progress,
the open prompt, usage, evaluations and the report, all derived from the folded journal state."""

from __future__ import annotations

from pathlib import Path

from interviewer.domain import Evaluation, Question, Usage
from interviewer.engine.state import SessionState
from interviewer.journal import Journal, SessionStarted
from interviewer.providers.base import Provider
from interviewer.report import Report


class SessionView:
    """The read-only properties of a session; `Interview` adds the driving."""

    _state: SessionState
    _journal: Journal
    _interviewer: Provider
    _grader: Provider

    @property
    def header(self) -> SessionStarted:
        """The session's header record: the questions, the mode, the providers' labels."""
        return self._state.header

    @property
    def session_id(self) -> str:
        return self._state.header.session_id

    @property
    def journal_path(self) -> Path:
        return self._journal.path

    @property
    def mode(self) -> str:
        return self._state.header.mode

    @property
    def questions(self) -> tuple[Question, ...]:
        return self._state.header.questions

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def current_number(self) -> int:
        return len(self._state.opened)

    @property
    def current_question(self) -> Question | None:
        current = self._state.current
        return current.question if current else None

    @property
    def current_prompt(self) -> str | None:
        current = self._state.current
        if current is None or not current.awaiting_answer or self.finished:
            return None
        return current.prompts[len(current.answers)].text

    @property
    def finished(self) -> bool:
        return self._state.ended

    @property
    def grading_failed_for(self) -> str | None:
        current = self._state.current
        if current is not None and current.grading_failed is not None:
            return current.question.id
        return None

    @property
    def usage(self) -> Usage:
        return self._state.usage

    @property
    def evaluations(self) -> dict[str, Evaluation]:
        return {q.question.id: q.evaluation for q in self._state.opened if q.evaluation}

    @property
    def interviewer_name(self) -> str:
        return self._interviewer.name

    @property
    def grader_name(self) -> str:
        return self._grader.name

    def report(self) -> Report:
        return self._state.report()
