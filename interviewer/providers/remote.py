"""What the OpenAI and Anthropic providers share: keys, retries, streaming, the giveaway check and
the structured-output ladder. A subclass only speaks its wire format (`_stream`, `_complete`).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from interviewer.bank.probes import bank_probe
from interviewer.config import ProviderProfile
from interviewer.domain import GraderOutput, Question, Sleep, Usage
from interviewer.errors import GradingFailed, ProviderError
from interviewer.prompts import (
    ChatMessage,
    RenderedPrompt,
    json_instructions,
    render_assess,
    render_feedback,
    render_grade,
    render_probe,
)
from interviewer.prompts import render_repair as repair_prompt
from interviewer.providers.assess_output import (
    assess_schema,
    feedback_schema,
    parse_assess,
    parse_feedback,
)
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
from interviewer.providers.errors_map import SdkErrors, Where, rejects_format, translate
from interviewer.providers.giveaway import GiveawayWatch, gives_away, guard_for
from interviewer.providers.idle import IdleTimer, TimedStream
from interviewer.providers.ladder import Ladder, Reply, Rung, Unsupported
from interviewer.providers.pricing import Tokens, cost, merge
from interviewer.providers.retry import Transient, call_with_retries
from interviewer.providers.structured import InvalidGrade, grade_schema, parse_grade
from interviewer.providers.timeouts import FirstByte, stream_cut, within_deadlines

T = TypeVar("T")
GRADE_TEMPERATURE_CAP = 0.2


def fallback_probe(request: ProbeRequest) -> str:
    """The bank's own probe for the target key point: the fallback that never gives one away."""
    asked = (exchange.prompt for exchange in request.exchanges)
    return bank_probe(request.question, request.target_key_point_ids, asked)


class RemoteProvider(ABC):
    """A provider reached over HTTP through an official SDK."""

    sdk_errors: SdkErrors
    rungs: tuple[Rung, ...]
    """The structured-output ladder of this wire format, best first."""

    def __init__(
        self,
        name: str,
        profile: ProviderProfile,
        role: Role,
        *,
        default_server: str,
        sleep: Sleep | None = None,
    ) -> None:
        self.profile_name = name
        self.profile = profile
        self.role = role
        self.sleep: Sleep = sleep or asyncio.sleep
        host = urlsplit(profile.base_url).hostname if profile.base_url else None
        self._local = profile.local_server
        self._server = host or default_server
        self._ladder = Ladder(self.rungs, name, profile, self.name)
        self._closed = False

    def _where(self, secret: str) -> Where:
        return Where(
            self.profile_name, self.profile.model, self._server, self.profile.api_key_env, secret
        )

    @property
    def name(self) -> str:
        return f"{self.profile_name}:{self.profile.model}"

    @property
    def is_local(self) -> bool:
        return self._local

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, role={self.role!r})"

    # -- the wire format, per SDK ------------------------------------------------------------

    @abstractmethod
    def _stream(self, system: str, messages: list[ChatMessage]) -> AsyncIterator[str | Tokens]:
        """Stream a plain-text reply: text chunks, then Tokens. Raises SDK exceptions."""

    @abstractmethod
    async def _complete(
        self,
        system: str,
        messages: list[ChatMessage],
        rung: Rung,
        schema: dict[str, Any],
        budget: int,
        first_byte: FirstByte = lambda: None,
    ) -> Reply:
        """One non-streamed structured reply by `rung`, at most `budget` tokens; `first_byte()`
        once the reply has started. Raises SDK exceptions."""

    def _wants_json_instructions(self, rung: Rung) -> bool:
        """Whether the schema must be spelled out in the prompt: only what the server does not
        enforce itself needs it (each prompt token costs time on a slow local model)."""
        return rung in ("json_object", "prompt")

    @abstractmethod
    async def _model_ids(self) -> list[str]:
        """The model ids the server lists (one request, no retries). Raises SDK exceptions."""

    async def list_models(self) -> list[str]:
        """The server's model list, for `interviewer providers check`; errors translated."""
        try:
            return await self._model_ids()
        except Exception as exc:
            raise self._fail(exc) from None

    async def structured_reply(
        self, rendered: RenderedPrompt, schema: dict[str, Any]
    ) -> tuple[str, Rung | None]:
        """One structured reply by the ladder, unparsed, and the rung that gave it."""
        raw, _ = await self._grade_call(rendered.system, list(rendered.messages), schema, "grading")
        return raw, self._ladder.working

    @abstractmethod
    def _secret(self) -> str:
        """The key in use (only to scrub it from server messages)."""

    @abstractmethod
    async def _close_client(self) -> None: ...

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._close_client()

    # -- shared machinery ----------------------------------------------------------------------

    def _fail(self, exc: BaseException) -> Exception:
        if isinstance(exc, (Transient, ProviderError, Unsupported)):
            return exc
        return translate(exc, self.sdk_errors, self._where(self._secret()))

    async def _retrying(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        return await call_with_retries(
            attempt,
            max_retries=self.profile.max_retries,
            max_wait_s=self.profile.retry_max_wait_s,
            what=f"{self.name} {what}",
            sleep=self.sleep,
            budget_s=self.profile.call_budget_s,
            budget_key=f"call_budget_s in [providers.{self.profile_name}]",
        )

    async def _open(
        self, system: str, messages: list[ChatMessage], tokens: Tokens, question: Question
    ) -> _Opened:
        """Open a stream and read until there is text to show, a giveaway, or the end.

        One attempt: a failure here, before the caller was shown anything, is retried. The giveaway
        check holds back the last words, so a stream can die after several chunks with nothing
        shown yet; a fresh GiveawayWatch per attempt forgets the dead stream's words.
        """
        timer = IdleTimer(self.profile.idle_timeout_s, self.profile.first_token_s)
        stream = TimedStream(self._stream(system, messages), timer)
        watch = GiveawayWatch(guard_for(question))
        try:
            while True:
                chunk = await stream.next()
                if isinstance(chunk, Tokens):
                    merge(tokens, chunk)
                elif chunk:
                    if watch.feed(chunk):
                        return _Opened(stream, watch, gave_away=True)
                    if watch.safe_length() > 0:
                        return _Opened(stream, watch)
        except StopAsyncIteration:
            return _Opened(stream, watch, ended=True)
        except TimeoutError:
            await stream.close()
            cut = stream_cut(self.profile_name, self.profile, started=timer.started)
            raise Transient(cut) from None
        except Exception as exc:
            await stream.close()
            raise self._fail(exc) from None

    async def probe(self, request: ProbeRequest) -> AsyncGenerator[ProbeEvent, None]:
        rendered = render_probe(request)
        messages = list(rendered.messages)
        tokens = Tokens()
        opened = await self._retrying(
            lambda: self._open(rendered.system, messages, tokens, request.question), "probe"
        )
        stream, watch, gave_away = opened.stream, opened.watch, opened.gave_away
        shown, interrupted = 0, False
        try:
            while not gave_away and not opened.ended:
                safe = watch.safe_length()
                if safe > shown:
                    yield TextDelta(watch.text[shown:safe])
                    shown = safe
                try:
                    chunk = await stream.next()
                except StopAsyncIteration:
                    break
                except Exception:
                    # Timeout or failure after text was shown: keep it, marked interrupted.
                    interrupted = True
                    break
                if isinstance(chunk, Tokens):
                    merge(tokens, chunk)
                else:
                    gave_away = watch.feed(chunk)
        finally:
            await stream.close()
        gave_away = gave_away or watch.finish()
        text = watch.text
        if gave_away:
            # What was shown is a clean prefix of the draft that gave a point away; the replacement
            # is a new probe, so ProbeDone.text (the source of truth) differs from the deltas then.
            text = await self._replace_giveaway(request, rendered.system, messages, tokens, shown)
            if shown == 0:
                yield TextDelta(text)
        else:
            if not text.strip():
                text, shown = fallback_probe(request), 0
            if len(text) > shown:
                yield TextDelta(text[shown:])
        yield ProbeDone(text=text, usage=cost(tokens, self.profile), interrupted=interrupted)

    async def _replace_giveaway(
        self,
        request: ProbeRequest,
        system: str,
        messages: list[ChatMessage],
        tokens: Tokens,
        shown: int,
    ) -> str:
        """A probe that quoted the sample answer or a key point: regenerate once (only when
        nothing was shown yet), else the bank's probe. The final ProbeDone text is the truth."""
        if shown == 0:
            try:
                again = Tokens()
                opened = await self._retrying(
                    lambda: self._open(system, messages, again, request.question), "probe"
                )
                stream, text = opened.stream, opened.watch.text
                try:
                    while True:
                        chunk = await stream.next()
                        if isinstance(chunk, Tokens):
                            merge(again, chunk)
                        else:
                            text += chunk
                except (StopAsyncIteration, TimeoutError):
                    pass
                finally:
                    await stream.close()
                merge(tokens, again)
                if text.strip() and not gives_away(text, request.question):
                    return text
            except Exception:  # noqa: S110 - the bank probe below is the designed fallback
                pass
        return fallback_probe(request)

    async def grade(self, request: GradeRequest) -> AsyncGenerator[GradeEvent, None]:
        # Not streamed: feedback is only worth showing once the whole reply has validated (a
        # repair retry would replace it), and it reaches the candidate after the answer anyway.
        # It is yielded as one TextDelta before GradeDone.
        question = request.question
        decided = request.verdicts
        answers = [exchange.answer for exchange in request.exchanges]
        if decided is not None:
            # After an assessment: the verdicts are decided, only the prose is asked for.
            output, usage = await self._structured(
                render_feedback(request, decided),
                feedback_schema(question),
                lambda raw: parse_feedback(raw, decided, answers),
            )
        else:
            ids = request.earlier.open_ids(question) if request.earlier else None
            output, usage = await self._structured(
                render_grade(request),
                grade_schema(question, ids),
                lambda raw: parse_grade(raw, question, answers, ids),
            )
        if output.feedback:
            yield TextDelta(output.feedback)
        yield GradeDone(output=output, usage=usage)

    async def assess(self, request: AssessRequest) -> AssessDone:
        question = request.question
        ids = request.earlier.open_ids(question) if request.earlier else None
        output, usage = await self._structured(
            render_assess(request),
            assess_schema(question, ids),
            lambda raw: parse_assess(raw, question, ids),
        )
        return AssessDone(output=output, usage=usage)

    async def _structured(
        self,
        rendered: RenderedPrompt,
        schema: dict[str, Any],
        parse: Callable[[str], GraderOutput],
    ) -> tuple[GraderOutput, Usage]:
        """One structured reply, parsed; an unusable one goes back once with the error for a
        repair, and a second unusable one is GradingFailed (with the usage spent)."""
        messages = list(rendered.messages)
        what = "assessment" if rendered.task == "assess" else "grading"
        raw, tokens = await self._grade_call(rendered.system, messages, schema, what)
        usage = cost(tokens, self.profile)
        try:
            return parse(raw), usage
        except InvalidGrade as first:
            messages += [
                ChatMessage("assistant", raw),
                ChatMessage("user", repair_prompt(str(first))),
            ]
            raw, tokens = await self._grade_call(rendered.system, messages, schema, what)
            usage = usage + cost(tokens, self.profile)
            try:
                return parse(raw), usage
            except InvalidGrade as second:
                raise GradingFailed(
                    f"{what} failed: {self.name} returned unusable output twice ({second}); "
                    "retry, or grade offline",
                    usage=usage,
                ) from None

    async def _grade_call(
        self, system: str, messages: list[ChatMessage], schema: dict[str, Any], what: str
    ) -> tuple[str, Tokens]:
        """One `what` ("grading", "assessment") reply by the best rung the server takes
        (`providers.ladder`)."""

        async def attempt(rung: Rung, budget: int) -> Reply:
            prompt = (
                f"{system}\n\n{json_instructions(schema)}"
                if self._wants_json_instructions(rung)
                else system
            )

            async def complete(first_byte: FirstByte) -> Reply:
                return await self._complete(prompt, messages, rung, schema, budget, first_byte)

            async def once() -> Reply:
                try:
                    return await within_deadlines(complete, self.profile_name, self.profile)
                except Exception as exc:
                    if rung != "prompt" and rejects_format(exc, self.sdk_errors):
                        raise Unsupported(str(self._fail(exc))) from None
                    raise self._fail(exc) from None

            return await self._retrying(once, what)

        return await self._ladder.call(attempt)


@dataclass
class _Opened:
    """A stream read up to its first showable text (or its end, or a giveaway)."""

    stream: TimedStream
    watch: GiveawayWatch
    gave_away: bool = False
    ended: bool = False
