"""The interview engine: an async state machine over the Provider protocol. No Textual here.

Usage (TUI and headless alike)::

    interview = Interview.new(settings, bank_id, questions, interviewer=p, grader=g)
    async for event in interview.start():   # QuestionOpened; after a resume, first the journaled
        show(event)                         # records of the question in progress
    while not interview.finished:
        async for event in interview.submit(answer_text):
            show(event)   # AnswerGiven, [Assessed], then ProbeDelta..., ProbeGiven
                          #   | FeedbackDelta..., Evaluated, then QuestionOpened | SessionEnded
                          #   | GradingFailedRecord (then retry_grading() or grade_offline());
                          # or AnswerRejected alone; Notice anywhere; Waiting before each
                          # provider call (assessment, probe, grading)

Every event but the deltas, `Notice`, `AnswerRejected` and `Waiting` is the journal record just
written (see `interviewer.engine.events`), so a front end renders a live session and a
played-back journal with the same code; the session header (`Interview.header`) holds the rest.

Every answer is journaled (fsynced) before any provider call, so nothing typed is lost. While
probes are left, the grader assesses each answer and the engine decides whether and where to
probe (`engine.assessing`, journaled as `Assessed`); the interviewer only words the probe
(`engine.probing`). The final grade builds on the last assessment (`assessing.grading_basis`):
prose only, or just the points still open. Scores come from the one grading path
(`engine.grading`) over checked verdicts, never from a provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Self, TypeVar

from interviewer.config import InterviewSettings
from interviewer.domain import SCRIPTED_FLAG, SCRIPTED_NOTE, Evaluation, Exchange, Question, Usage
from interviewer.engine.assessing import carried, decide, grading_basis, newly_covered
from interviewer.engine.cancel import CancelScope, StreamCancelled
from interviewer.engine.events import AnswerRejected, Event, FeedbackDelta, Notice, Waiting
from interviewer.engine.grading import AnswerLimits, cut_answers, grade, grading_request
from interviewer.engine.probing import MissingFn, Probed, ask_probe, estimate_missing
from interviewer.engine.state import QuestionState, SessionState
from interviewer.engine.view import SessionView
from interviewer.errors import InterviewerError, ProviderError, ReplayMismatch
from interviewer.journal import (
    TURN_RECORDS,
    AnswerGiven,
    Assessed,
    Evaluated,
    GradingFailedRecord,
    Journal,
    ProbeGiven,
    QuestionOpened,
    SessionEnded,
    SessionStarted,
    TurnRecord,
    WentOffline,
    new_session_id,
    read_records,
)
from interviewer.providers.base import Provider

R = TypeVar("R", bound=TurnRecord)


class Interview(SessionView):
    def __init__(
        self,
        state: SessionState,
        journal: Journal,
        *,
        interviewer: Provider,
        grader: Provider,
        offline: Provider | None = None,
        missing: MissingFn = estimate_missing,
        replay: Sequence[TurnRecord] = (),
    ) -> None:
        self._missing_fn = missing
        self._state = state
        self._replay = tuple(replay)
        """The journaled records of the question in progress; `start()` yields them first."""
        self._journal = journal
        self._interviewer = interviewer
        self._grader = grader
        self._offline = offline
        self._retired: list[Provider] = []
        """Providers replaced by the offline one (`continue_offline`), closed with the rest."""
        if state.offline:
            self._use_offline()
        self._scope = CancelScope()
        self._said_scripted = False
        """The replay left its recording and the candidate has been told (once is enough)."""

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def new(
        cls,
        settings: InterviewSettings,
        bank_id: str,
        questions: Sequence[Question],
        *,
        interviewer: Provider,
        grader: Provider,
        offline: Provider | None = None,
        journal_dir: Path | None = None,
        missing: MissingFn = estimate_missing,
    ) -> Self:
        if not questions:
            raise InterviewerError("no questions to ask")
        header = SessionStarted(
            session_id=new_session_id(),
            bank_id=bank_id,
            mode=settings.mode,
            interviewer=interviewer.name,
            grader=grader.name,
            max_probes=settings.max_probes,
            min_answer_words=settings.min_answer_words,
            max_answer_chars=settings.max_answer_chars,
            questions=tuple(questions),
        )
        journal = Journal.create(header, journal_dir)
        return cls(
            SessionState(header=header, last_t=header.t),
            journal,
            interviewer=interviewer,
            grader=grader,
            offline=offline,
            missing=missing,
        )

    @classmethod
    def resume(
        cls,
        path: Path,
        *,
        interviewer: Provider,
        grader: Provider,
        offline: Provider | None = None,
        missing: MissingFn = estimate_missing,
    ) -> Self:
        records = read_records(path)
        state = SessionState.from_records(records, source=str(path))
        if state.finished:
            raise InterviewerError(f"session {state.header.session_id} is already finished")
        opened = [i for i, r in enumerate(records) if isinstance(r, QuestionOpened)]
        in_progress = records[opened[-1] :] if opened else []
        return cls(
            state,
            Journal(path),
            interviewer=interviewer,
            grader=grader,
            offline=offline,
            missing=missing,
            replay=[r for r in in_progress if isinstance(r, TURN_RECORDS)],
        )

    # -- driving --------------------------------------------------------------------------

    def cancel(self) -> None:
        """End the stream in progress early; its partial text is kept, marked interrupted."""
        self._scope.cancel()

    async def start(self) -> AsyncIterator[Event]:
        """Open the first question, or pick up where a resumed session stopped: first the
        journaled records of the question in progress (so a front end draws its earlier turns
        as playback would), then whatever step the stop interrupted."""
        current = self._state.current
        replay, self._replay = self._replay, ()
        if self._state.ended:
            return
        if current is None or current.evaluation is not None:
            # Stopped after grading, before the next question opened: grading again would
            # cost money and could change a score the candidate has already seen.
            async for event in self._open_next():
                yield event
            return
        for record in replay:
            yield record
        if not current.awaiting_answer and current.grading_failed is None:
            # The crash came after an answer was saved but before the next step finished.
            async for event in self._after_answer(current):
                yield event

    async def submit(self, answer: str) -> AsyncIterator[Event]:
        """Take the answer to the open prompt, then probe, grade or move on."""
        if not answer.strip():
            self._open_prompt()
            yield AnswerRejected("The answer is empty: type an answer, or submit again to skip.")
            return
        async for event in self._accept(answer):
            yield event

    async def skip(self) -> AsyncIterator[Event]:
        """Record an empty answer on purpose (the candidate confirmed they want to skip)."""
        async for event in self._accept(""):
            yield event

    def _open_prompt(self) -> QuestionState:
        current = self._state.current
        if current is None or self.finished or not current.awaiting_answer:
            raise InterviewerError("no question is waiting for an answer")
        return current

    async def _accept(self, answer: str) -> AsyncIterator[Event]:
        current = self._open_prompt()
        self._scope.reset()
        yield self._record(AnswerGiven(question_id=current.question.id, text=answer))
        async for event in self._after_answer(current):
            yield event

    async def retry_grading(self) -> AsyncIterator[Event]:
        current = self._need_failed_grading()
        self._scope.reset()
        async for event in self._grade(current, self._grader):
            yield event

    async def grade_offline(self) -> AsyncIterator[Event]:
        """Grade the failed question with the offline provider, labelled as such."""
        current = self._need_failed_grading()
        self._scope.reset()
        async for event in self._grade(current, self._offline_provider()):
            yield event

    @property
    def offline_for_rest(self) -> bool:
        """Probes, assessments and grading are the offline grader's from here on."""
        return self._state.offline

    async def continue_offline(self, reason: str = "") -> AsyncIterator[Event]:
        """Go on offline for the rest of the session (the candidate's choice after a provider
        failure): journaled first, so a resumed session stays offline. A question waiting for
        its grading is graded offline now."""
        went = None if self._state.offline else self._record(WentOffline(reason=reason))
        self._use_offline()  # before it is shown: the front end names the new providers
        if went is not None:
            yield went
        current = self._state.current
        if current is not None and current.grading_failed is not None:
            self._scope.reset()
            async for event in self._grade(current, self._grader):
                yield event

    def _offline_provider(self) -> Provider:
        if self._offline is None:
            from interviewer.providers.offline import OfflineProvider

            self._offline = OfflineProvider()
        return self._offline

    def _use_offline(self) -> None:
        offline = self._offline_provider()
        for provider in (self._interviewer, self._grader):
            if all(provider is not p for p in (offline, *self._retired)):
                self._retired.append(provider)
        self._interviewer = self._grader = offline

    async def aclose(self) -> None:
        self._journal.close()
        everyone = (self._interviewer, self._grader, self._offline, *self._retired)
        providers = {id(p): p for p in everyone if p}
        for provider in providers.values():
            await provider.aclose()

    # -- steps ----------------------------------------------------------------------------

    def _need_failed_grading(self) -> QuestionState:
        current = self._state.current
        if current is None or current.grading_failed is None:
            raise InterviewerError("no question is waiting for grading")
        return current

    def _record(self, record: R) -> R:
        """Journal `record`, fold it into the state, and hand it back for the caller to yield."""
        self._journal.append(record)
        self._state.apply(record)
        return record

    async def _open_next(self) -> AsyncIterator[Event]:
        number = len(self._state.opened)
        if number >= self.total:
            yield self._record(SessionEnded())
            return
        question = self.questions[number]
        yield self._record(QuestionOpened(question_id=question.id, number=number + 1))

    @property
    def _limits(self) -> AnswerLimits:
        header = self._state.header
        return AnswerLimits(header.min_answer_words, header.max_answer_chars)

    async def _after_answer(self, current: QuestionState) -> AsyncIterator[Event]:
        limits = self._limits
        # What providers get: the journal keeps full answers, a provider reads the cut ones.
        exchanges = cut_answers(current.exchanges, limits.max_chars)
        if exchanges[-1].truncated:
            yield Notice(
                f"That answer is {len(current.answers[-1])} characters long; the grader reads "
                f"the first {limits.max_chars}. Your full answer is saved."
            )
        passes = not isinstance(grading_request(current.question, exchanges, limits), Evaluation)
        if passes and current.probes_asked < self._state.header.max_probes:
            # A resumed session has the decision on disk already: ask the same probe.
            decided = current.assessment
            if decided is None:
                yield Waiting(self._grader.name, "assessment")
                outcome = await decide(
                    current.question,
                    current.exchanges,
                    self._grader,
                    limits,
                    missing=self._missing_fn,
                    wait=self._scope.wait_for,
                    earlier=carried(current.assessments, self._grader.name, len(current.answers)),
                )
                if outcome.notice is not None:
                    yield outcome.notice
                for notice in self._scripted_notice(SCRIPTED_FLAG in outcome.record.flags):
                    yield notice
                decided = self._record(outcome.record)
                yield decided
            if decided.targets:
                async for event in self._probe(current, exchanges, decided):
                    yield event
                return
        async for event in self._grade(current, self._grader):
            yield event

    async def _probe(
        self, current: QuestionState, exchanges: tuple[Exchange, ...], decided: Assessed
    ) -> AsyncIterator[Event]:
        yield Waiting(self._interviewer.name, "probe")
        async for probed in ask_probe(
            current.question,
            exchanges,
            decided.targets,
            self._interviewer,
            number=current.probes_asked + 1,
            covered=newly_covered(current.assessments),
            guard=self._scope.guard,
        ):
            if not isinstance(probed, Probed):
                yield probed
                continue
            yield self._record(
                ProbeGiven(
                    question_id=current.question.id,
                    text=probed.text,
                    number=current.probes_asked + 1,
                    key_point_id=decided.targets[0],
                    interrupted=probed.interrupted,
                    usage=probed.usage,
                )
            )
            # After the probe it concerns (its text has streamed already).
            for notice in self._scripted_notice(probed.scripted):
                yield notice

    async def _grade(self, current: QuestionState, grader: Provider) -> AsyncIterator[Event]:
        question = current.question
        evaluation: Evaluation | None = None
        reuse, earlier = grading_basis(
            current.assessments, len(current.answers), grader.name, same=grader is self._grader
        )
        if not isinstance(grading_request(question, current.exchanges, self._limits), Evaluation):
            # Only a call is waited for: the pre-check decides at once.
            yield Waiting(grader.name, "grading")
        try:
            async for graded in grade(
                question,
                current.exchanges,
                grader,
                self._limits,
                guard=self._scope.guard,
                reuse=reuse,
                earlier=earlier,
            ):
                if isinstance(graded, FeedbackDelta):
                    yield graded
                else:
                    evaluation = graded.evaluation
        except ReplayMismatch:
            raise  # a set-up error, not a failed grading to retry or grade offline
        except (StreamCancelled, ProviderError) as exc:
            message = "grading cancelled" if isinstance(exc, StreamCancelled) else str(exc)
            spent = getattr(exc, "usage", None)
            usage = spent if isinstance(spent, Usage) else Usage()
            yield self._record(
                GradingFailedRecord(question_id=question.id, message=message, usage=usage)
            )
            return
        assert evaluation is not None  # grade() always ends with one
        for notice in self._scripted_notice(evaluation.scripted):
            yield notice
        async for event in self._evaluated(current, evaluation):
            yield event

    def _scripted_notice(self, scripted: bool) -> tuple[Notice, ...]:
        """The one Notice that a replay's replies are now a script for other answers."""
        if not scripted or self._said_scripted:
            return ()
        self._said_scripted = True
        return (Notice(SCRIPTED_NOTE),)

    async def _evaluated(
        self, current: QuestionState, evaluation: Evaluation
    ) -> AsyncIterator[Event]:
        yield self._record(Evaluated(question_id=current.question.id, evaluation=evaluation))
        async for event in self._open_next():
            yield event
