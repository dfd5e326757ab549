"""Streamed replies cost the UI little per chunk: chunks are drawn together a few times a
second, and what else the screen shows is not redrawn for every chunk."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from interviewer.engine.events import FeedbackDelta
from interviewer.tui.screens.interview import InterviewScreen
from interviewer.tui.widgets.conversation import FLUSH_INTERVAL_S, Conversation, StreamingReply
from interviewer.tui.widgets.safe import SafeStatic
from interviewer.tui.widgets.safe_markdown import SafeMarkdown
from tests.tui.harness import EngineHarness, make_app, start_interview, wait_until

SIZE = (100, 36)


class Harness(App[None]):
    def compose(self) -> ComposeResult:
        yield Conversation()


async def test_a_fast_stream_reaches_the_markdown_in_a_few_updates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    appended: list[str] = []
    append = SafeMarkdown.append

    def counting(self: SafeMarkdown, markdown: str):  # type: ignore[no-untyped-def]
        appended.append(markdown)
        return append(self, markdown)

    monkeypatch.setattr(SafeMarkdown, "append", counting)
    chunks = [f"word{i} " for i in range(300)] + ["\x1b]0;ti", "tle\x07end."]
    app = Harness()
    async with app.run_test():
        conversation = app.query_one(Conversation)
        reply = StreamingReply(conversation, "feedback")
        loop = asyncio.get_running_loop()
        began = loop.time()
        for chunk in chunks:
            await reply.write(chunk)
            await asyncio.sleep(0)  # an instant model: the loop turns once per chunk
        await reply.finish(None)
        took = loop.time() - began
        markdown = conversation.query_one(SafeMarkdown)
        expected = "".join(chunks[:-2]) + "end."  # the split escape sequence is gone
        assert markdown.source == expected
        assert "".join(appended) == expected
        # At most one draw per FLUSH_INTERVAL_S, and the last one at finish. Not a fixed count:
        # on a loaded machine these 302 loop turns took long enough for 10 legitimate draws.
        assert 1 <= len(appended) <= 2 + took / FLUSH_INTERVAL_S, (len(appended), took)
        assert reply.chunks == len(chunks)


async def test_a_lone_chunk_is_drawn_without_waiting_for_the_next() -> None:
    app = Harness()
    async with app.run_test() as pilot:
        conversation = app.query_one(Conversation)
        reply = StreamingReply(conversation, "probe")
        await reply.write("A slow model's first words")
        # No second chunk ever comes: the flush timer alone must draw this one.
        markdown = conversation.query_one(SafeMarkdown)
        await wait_until(
            pilot, lambda: markdown.source == "A slow model's first words", what="the flush"
        )
        await reply.finish(None)


async def test_the_record_equal_to_what_streamed_is_not_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    updates: list[str] = []
    update = SafeMarkdown.update

    def counting(self: SafeMarkdown, markdown: str):  # type: ignore[no-untyped-def]
        updates.append(markdown)
        return update(self, markdown)

    app = Harness()
    async with app.run_test():
        conversation = app.query_one(Conversation)
        reply = StreamingReply(conversation, "probe")
        for chunk in ("What would ", "you log?"):
            await reply.write(chunk)
        monkeypatch.setattr(SafeMarkdown, "update", counting)
        await reply.finish("What would you log?")
        assert updates == []
        other = StreamingReply(conversation, "probe")
        await other.write("What would")
        await other.finish("What would you monitor?")
        assert [u for u in updates if u] == ["What would you monitor?"]  # '' is its mount


async def test_the_activity_line_is_not_redrawn_for_every_streamed_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(EngineHarness(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, app)
        assert isinstance(screen, InterviewScreen)
        said: list[str] = []
        set_text = SafeStatic.set_text

        def counting(self: SafeStatic, text: str) -> None:
            if self.id == "activity":
                said.append(text)
            set_text(self, text)

        monkeypatch.setattr(SafeStatic, "set_text", counting)
        for i in range(50):  # interview mode: feedback streams unseen, the line says so
            await screen._show(FeedbackDelta(f"chunk{i} "))
        assert said == ["Noting your answer…"]
