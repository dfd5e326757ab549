"""The replay provider: answers from recorded fixtures only. No network, no key, no model.

Matching
--------
* ``strict`` (the default): a request is rendered to its canonical messages (see
  `interviewer.providers.fixtures`) and answered by a fixture with the same request hash, oldest
  first. A request asked more often than it was recorded gets its last recording again (same
  request, same answer). No match is a `ReplayMismatch` naming the request, the nearest recorded
  fixture and a unified diff of the messages: never a wrong answer, never a real call.
* ``position``: fixtures are played in recorded order per task and question (the 2nd probe of a
  question gets the 2nd recorded probe of that question), whatever the answers were. For demos
  whose answers were edited, or typed anew by someone trying the app. Request hashes are not
  checked in this mode, so hand-edited fixtures load.
  Other answers can take another path through a question: its closing call (a full ``grade``
  or the prose-only ``feedback`` after an assessment) takes whichever was recorded, and once the
  recorded assessments of a question are used up the offline estimate decides the probes.
  A reply recorded for another request than the one asked (other answers) is marked
  ``scripted`` (`ProbeDone`, `GradeDone`, `AssessDone`): the engine says so once and labels the
  evaluation, so a script is never shown as a judgement of what the candidate wrote.

The shipped demo set (used when a replay profile names no ``fixtures``) defaults to ``position``:
a newcomer types their own answers. An explicit ``match = "strict"`` in the profile still wins.

A folder recorded before assessments existed holds no ``assess`` exchange: `assess` then raises
`AssessUnsupported`, and the engine decides its probes with the offline estimate, as the session
that was recorded did, so such recordings replay as they always have.

Roles are recorded but not matched: one replay provider can answer a session recorded with
separate interviewer and grader profiles. A profile ``model``, when set, keeps only fixtures
recorded from that model.
"""

from __future__ import annotations

import asyncio
import difflib
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from interviewer.domain import Sleep
from interviewer.errors import AssessUnsupported, FixtureError, ReplayMismatch
from interviewer.providers.base import (
    AssessDone,
    AssessRequest,
    GradeDone,
    GradeEvent,
    GradeRequest,
    ProbeDone,
    ProbeEvent,
    ProbeRequest,
    Role,
    TextDelta,
)
from interviewer.providers.fixture_io import load_directory
from interviewer.providers.fixtures import CanonicalRequest, Fixture, canonicalise, messages_text

if TYPE_CHECKING:
    from interviewer.config import ProviderProfile

DEMO_BANK, DEMO_SEED, DEMO_COUNT = "ai-security", 7, 2
"""The interview the shipped demo fixtures script: `--bank ai-security --seed 7 --count 2`."""

Match = Literal["strict", "position"]
MAX_DIFF_LINES = 60


def demo_fixtures() -> Traversable:
    """The shipped demo fixture set."""
    return files("interviewer") / "data" / "fixtures" / "demo"


def _slot(task: str) -> str:
    """Position matching's queue for a task: a question's closing call is one slot."""
    return "grade" if task == "feedback" else task


class ReplayProvider:
    """A Provider that streams recorded exchanges back."""

    def __init__(
        self,
        fixtures: Sequence[Fixture],
        *,
        source: str,
        label: str = "replay",
        match: Match = "strict",
        pace: bool = False,
        sleep: Sleep = asyncio.sleep,
        demo: bool = False,
        role: Role = "interviewer",
    ) -> None:
        self._role = role
        self._fixtures = tuple(fixtures)
        self._source = source
        self._label = label
        self.match: Match = match
        self.pace = pace
        self._sleep = sleep
        self._demo = demo
        self._played: list[str] = []
        self._by_hash: dict[str, deque[Fixture]] = defaultdict(deque)
        self._by_position: dict[tuple[str, str], deque[Fixture]] = defaultdict(deque)
        self._last_for_hash: dict[str, Fixture] = {}
        for fixture in self._fixtures:
            self._by_hash[fixture.request_hash].append(fixture)
            self._by_position[(_slot(fixture.task), fixture.request.question_id)].append(fixture)

    @classmethod
    def from_profile(
        cls,
        name: str,
        profile: ProviderProfile,
        role: Role,
    ) -> ReplayProvider:
        """Build from a `kind = "replay"` profile (`fixtures`, `match`, `pace`, `model`)."""
        demo = profile.fixtures is None
        folder = demo_fixtures() if profile.fixtures is None else profile.fixtures.expanduser()
        match: Match = profile.match
        if demo and "match" not in profile.model_fields_set:
            match = "position"
        return cls.from_directory(
            folder,
            match=match,
            pace=profile.pace,
            model=profile.model or None,
            # The status bar, the report and every "graded by" show the label: the demo's
            # replies are hand-written, and the label says it plays a scripted interview.
            label=f"{name}:scripted-demo" if demo else f"{name}:{Path(str(folder)).name}",
            demo=demo,
            role=role,
        )

    @classmethod
    def from_directory(
        cls,
        directory: Traversable,
        *,
        match: Match = "strict",
        pace: bool = False,
        sleep: Sleep = asyncio.sleep,
        model: str | None = None,
        label: str = "replay",
        demo: bool = False,
        role: Role = "interviewer",
    ) -> ReplayProvider:
        fixtures = load_directory(directory, verify=match == "strict")
        if model is not None:
            fixtures = [f for f in fixtures if f.model == model]
            if not fixtures:
                raise FixtureError(
                    f"{directory}: no fixture was recorded from model {model!r}; "
                    "remove `model` from the replay profile or name the recorded one"
                )
        return cls(
            fixtures,
            source=str(directory),
            label=label,
            match=match,
            pace=pace,
            sleep=sleep,
            demo=demo,
            role=role,
        )

    # --- Provider protocol ------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._label

    @property
    def is_local(self) -> bool:
        return True

    async def probe(self, request: ProbeRequest) -> AsyncIterator[ProbeEvent]:
        fixture, scripted = self._take(canonicalise(request))
        async for chunk in self._stream(fixture):
            yield chunk
        yield ProbeDone(
            text=fixture.text or "",
            usage=fixture.usage,
            interrupted=fixture.stop != "end",
            scripted=scripted,
        )

    async def grade(self, request: GradeRequest) -> AsyncIterator[GradeEvent]:
        fixture, scripted = self._take(canonicalise(request))
        if fixture.output is None:  # parse_fixture guarantees it; keeps the type checker honest
            raise FixtureError(f"{fixture.source}: a grade fixture without output")
        async for chunk in self._stream(fixture):
            yield chunk
        yield GradeDone(
            output=fixture.output,
            usage=fixture.usage,
            interrupted=fixture.stop != "end",
            method="coverage" if fixture.kind == "offline" else "model",
            scripted=scripted,
        )

    async def assess(self, request: AssessRequest) -> AssessDone:
        if not any(fixture.task == "assess" for fixture in self._fixtures):
            raise AssessUnsupported(
                f"replay: {self._source} was recorded before assessments existed"
            )
        fixture, scripted = self._take(canonicalise(request))
        if fixture.output is None:  # parse_fixture guarantees it
            raise FixtureError(f"{fixture.source}: an assess fixture without output")
        if self.pace and fixture.done_ms > 0:
            await self._sleep(fixture.done_ms / 1000)
        return AssessDone(
            output=fixture.output,
            usage=fixture.usage,
            method="coverage" if fixture.kind == "offline" else "model",
            scripted=scripted,
        )

    async def aclose(self) -> None:
        return None

    # --- bookkeeping for tests --------------------------------------------------------------

    def played(self) -> list[str]:
        """Fixture ids in the order they were played (repeats included)."""
        return list(self._played)

    def unplayed(self) -> list[str]:
        """Ids of fixtures never played, in recorded order."""
        seen = set(self._played)
        return [f.id for f in self._fixtures if f.id not in seen]

    # --- internals --------------------------------------------------------------------------

    async def _stream(self, fixture: Fixture) -> AsyncIterator[TextDelta]:
        elapsed = 0
        for chunk in fixture.chunks:
            if self.pace and chunk.ms > elapsed:
                await self._sleep((chunk.ms - elapsed) / 1000)
                elapsed = chunk.ms
            yield TextDelta(chunk.text)
        if self.pace and fixture.done_ms > elapsed:
            await self._sleep((fixture.done_ms - elapsed) / 1000)

    def _take(self, request: CanonicalRequest) -> tuple[Fixture, bool]:
        """The fixture that answers `request`, and whether it was recorded for another request
        (other answers, position matching): then its reply is a script, not a response."""
        if self.match == "position":
            fixture = self._take_position(request)
        else:
            fixture = self._take_strict(request)
        if fixture is None:
            raise ReplayMismatch(self._mismatch_message(request))
        self._played.append(fixture.id)
        return fixture, fixture.request_hash != request.request_hash

    def _take_strict(self, request: CanonicalRequest) -> Fixture | None:
        key = request.request_hash
        queue = self._by_hash.get(key)
        if queue:
            self._last_for_hash[key] = queue.popleft()
        return self._last_for_hash.get(key)

    def _take_position(self, request: CanonicalRequest) -> Fixture | None:
        queue = self._by_position.get((_slot(request.task), request.question_id))
        if not queue and request.task == "assess":
            raise AssessUnsupported(f"replay: no recorded assessment left in {self._source}")
        return queue.popleft() if queue else None

    def _mismatch_message(self, request: CanonicalRequest) -> str:
        what = f"{request.describe()} (role {self._role}, fixtures {self._source})"
        if self.match == "position":
            return self._position_message(request, what)
        nearest = self._nearest(request)
        if nearest is None:
            return (
                f"replay: no recorded fixture for {what}: the folder holds no {request.task} "
                "exchanges; record this session with --record DIR"
            )
        diff = list(
            difflib.unified_diff(
                messages_text(nearest.request.messages),
                messages_text(request.messages),
                fromfile=f"recorded {nearest.id}",
                tofile="this request",
                n=2,
                lineterm="",
            )
        )
        if not diff:
            diff = [f"(same messages; request parameters differ: {request.params})"]
        if len(diff) > MAX_DIFF_LINES:
            diff = [*diff[:MAX_DIFF_LINES], f"... ({len(diff) - MAX_DIFF_LINES} more diff lines)"]
        return "\n".join(
            [
                f"replay: no recorded fixture matches {what}; nearest is {nearest.id} "
                f"({nearest.request.describe()}). Record again with --record DIR, or replay "
                'with match = "position". What differs:',
                *diff,
            ]
        )

    def _position_message(self, request: CanonicalRequest, what: str) -> str:
        recorded = [f for f in self._fixtures if f.request.question_id == request.question_id]
        if not recorded:
            questions = sorted({f.request.question_id for f in self._fixtures})
            hint = (
                " (the demo is scripted for `interviewer --provider replay --bank "
                f"{DEMO_BANK} --seed {DEMO_SEED} --count {DEMO_COUNT}`)"
                if self._demo
                else ""
            )
            return (
                f"replay: no recorded fixture for {what}: the fixtures cover only questions "
                f"{', '.join(questions)}{hint}"
            )
        count = sum(1 for f in recorded if f.task == request.task)
        hint = (
            f" (run with --max-probes {count} to stay within it)" if request.task == "probe" else ""
        )
        return (
            f"replay: no recorded fixture left for {what}: the recording has {count} "
            f"{request.task} exchange(s) for this question, all played{hint}"
        )

    def _nearest(self, request: CanonicalRequest) -> Fixture | None:
        candidates = [f for f in self._fixtures if f.task == request.task]
        if not candidates:
            return None
        wanted = messages_text(request.messages)

        def similarity(fixture: Fixture) -> tuple[bool, float]:
            same_question = fixture.request.question_id == request.question_id
            matcher = difflib.SequenceMatcher(None, messages_text(fixture.request.messages), wanted)
            return same_question, matcher.ratio()

        return max(candidates, key=similarity)
