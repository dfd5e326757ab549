"""Offline grading in a session: after a provider failure mid-interview "continue offline for
the rest of this session" (ctrl+g), journaled so a resumed session stays offline, each score
naming its grader; and the Feedback screen of an offline score saying how to switch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from interviewer.domain import GraderOutput
from interviewer.engine.session import Interview
from interviewer.engine.state import load_state
from interviewer.errors import ProviderError
from interviewer.journal import WentOffline, read_records
from interviewer.providers.base import GradeDone, GradeEvent, GradeRequest
from interviewer.tui.ports import StartChoice
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.report import ReportScreen
from interviewer.tui.widgets.editor import AnswerEditor
from interviewer.tui.widgets.status import StatusBar
from tests.fakes import ScriptedProvider
from tests.tui.harness import (
    ANSWER,
    EngineHarness,
    FailingOnce,
    engine_idle,
    grade_for,
    make_app,
    notifications,
    screen_text,
    send,
    start_interview,
    wait_until,
)

SIZE = (120, 40)


def offline_harness(home: Path, **kwargs: int) -> tuple[EngineHarness, ScriptedProvider]:
    offline = ScriptedProvider(label="offline")
    harness = EngineHarness(home, provider=ScriptedProvider(label="remote"), offline=offline)
    for key, value in kwargs.items():
        setattr(harness, key, value)
    return harness, offline


async def test_after_a_failed_grading_ctrl_g_grades_the_rest_offline(home: Path) -> None:
    harness, offline = offline_harness(home, questions=2, max_probes=0)
    q1, q2 = harness.question_list()
    harness.provider.enqueue_grade(ProviderError("the model returned nothing useful"))
    offline.enqueue_grade(grade_for(q1))
    offline.enqueue_grade(grade_for(q2))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        assert screen.check_action("continue_offline", ()) is False  # nothing failed yet
        await send(pilot, app, ANSWER)
        said = [n for n in notifications(app) if n.startswith("Grading failed")]
        assert said and "ctrl+g goes on offline for the rest of this session" in said[-1]
        assert "ctrl+o to grade this question offline" in said[-1]
        assert screen.check_action("continue_offline", ()) is True

        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: engine_idle(app), what="offline grading")
        interview = harness.built[0]
        assert interview.grading_failed_for is None and interview.offline_for_rest
        assert screen.check_action("continue_offline", ()) is False  # once is enough
        assert screen.query_one(StatusBar).provider == "offline"
        assert any(n.startswith("The rest of this session is offline") for n in notifications(app))

        await send(pilot, app, ANSWER)  # question 2: no request to the failed provider
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        report = app.screen.report  # type: ignore[attr-defined]
    assert len(harness.provider.history) == 1  # only the grading that failed
    assert [type(r) for r in offline.history] == [GradeRequest, GradeRequest]
    assert [q.evaluation.grader for q in report.questions] == ["offline", "offline"]
    records = read_records(interview.journal_path)
    went = [r for r in records if isinstance(r, WentOffline)]
    assert len(went) == 1 and went[0].reason == "the model returned nothing useful"


async def test_after_a_failed_probe_ctrl_g_is_offered_and_the_next_answer_stays_offline(
    home: Path,
) -> None:
    harness, offline = offline_harness(home, questions=1, max_probes=2)
    (question,) = harness.question_list()
    harness.provider.probes.append(ProviderError("connection reset"))
    offline.enqueue_probe("And how would you detect misuse?")
    offline.enqueue_grade(grade_for(question))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app, ANSWER)  # the probe fails: the bank's probe is asked instead
        fell_back = [n for n in notifications(app) if "interviewer model failed" in n]
        assert fell_back and fell_back[-1].endswith(
            "ctrl+g goes on offline for the rest of this session."
        )
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: harness.built[0].offline_for_rest, what="offline")
        await wait_until(pilot, lambda: engine_idle(app), what="idle")
        assert harness.built[0].grading_failed_for is None
        assert offline.history == []  # nothing was waiting: nothing is graded yet
        assert "(Offline from here on" in screen_text(app)  # in the transcript, not only a toast
        await send(pilot, app, ANSWER)  # the second probe and the grading: offline
        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
        assert screen.check_action("continue_offline", ()) is False
    assert len(harness.provider.history) == 1
    assert len(offline.history) == 2  # probe 2, then the grade


async def test_a_resumed_session_stays_offline(home: Path) -> None:
    harness, offline = offline_harness(home, questions=2, max_probes=0)
    q1, q2 = harness.question_list()
    harness.provider.enqueue_grade(ProviderError("down"))
    offline.enqueue_grade(grade_for(q1))
    first = await harness(StartChoice(bank="test-bank", count=2))
    async for _ in first.start():
        pass
    async for _ in first.submit(ANSWER):
        pass
    async for _ in first.continue_offline("down"):
        pass
    await first.aclose()
    assert load_state(first.journal_path).offline

    offline.enqueue_grade(grade_for(q2))
    resumed = Interview.resume(
        first.journal_path, interviewer=harness.provider, grader=harness.provider, offline=offline
    )
    assert resumed.offline_for_rest
    assert (resumed.interviewer_name, resumed.grader_name) == ("offline", "offline")
    async for _ in resumed.start():
        pass
    async for _ in resumed.submit(ANSWER):
        pass
    await resumed.aclose()
    assert len(harness.provider.history) == 1
    evaluation = resumed.report().questions[1].evaluation
    assert evaluation is not None and evaluation.grader == "offline"
    assert harness.provider.closed == 2  # the replaced provider is still closed


async def test_going_offline_never_reuses_the_other_graders_verdicts(home: Path) -> None:
    # The remote grader assessed (its verdicts decided: no probe), then its prose call failed.
    harness, offline = offline_harness(home, questions=1, max_probes=1)
    (question,) = harness.question_list()
    harness.provider.enqueue_assessment(GraderOutput(verdicts=grade_for(question, 5).verdicts))
    harness.provider.enqueue_grade(ProviderError("prose failed"))
    offline.enqueue_grade(grade_for(question, covered=1))
    interview = await harness(StartChoice(bank="test-bank", count=1))
    async for _ in interview.start():
        pass
    async for _ in interview.submit(ANSWER):
        pass
    assert interview.grading_failed_for == question.id
    async for _ in interview.continue_offline("prose failed"):
        pass
    await interview.aclose()
    (request,) = offline.history
    assert isinstance(request, GradeRequest) and request.verdicts is None
    evaluation = interview.report().questions[0].evaluation
    assert evaluation is not None and evaluation.grader == "offline"


class CoverageGrader(ScriptedProvider):
    """Grades as the offline grader does: a coverage estimate."""

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        async for event in super().grade(request):
            if isinstance(event, GradeDone):
                event = GradeDone(output=event.output, usage=event.usage, method="coverage")
            yield event


async def test_feedback_on_an_offline_score_says_how_to_switch(home: Path) -> None:
    harness = EngineHarness(home, provider=CoverageGrader(label="offline"), questions=1)
    harness.max_probes = 0
    harness.provider.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#mode").value = "practice"  # type: ignore[attr-defined]
        await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        await wait_until(pilot, lambda: isinstance(app.screen, FeedbackScreen), what="feedback")
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
    assert "For a grader that reads meaning, set `provider` in your config" in shown
    assert "test it with `interviewer providers check`" in shown


async def test_after_a_provider_error_ctrl_g_is_offered_and_the_kept_answer_goes_offline(
    home: Path,
) -> None:
    harness, offline = offline_harness(home, questions=1, max_probes=0)
    harness.interview_type = FailingOnce
    offline.enqueue_grade(grade_for(harness.question_list()[0]))
    app = make_app(harness)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        await send(pilot, app, ANSWER)
        said = [n for n in notifications(app) if "connection refused" in n]
        assert said
        assert "ctrl+s sends it again" in said[-1]
        assert said[-1].endswith("ctrl+g goes on offline for the rest of this session.")
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: harness.built[0].offline_for_rest, what="offline")
        await wait_until(pilot, lambda: engine_idle(app), what="idle")
        assert screen.query_one(AnswerEditor).text == ANSWER  # nothing typed is lost
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
    assert harness.provider.history == []
    (request,) = offline.history
    assert isinstance(request, GradeRequest)
    assert request.exchanges[0].answer == ANSWER
