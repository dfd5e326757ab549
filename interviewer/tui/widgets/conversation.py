"""The conversation about the current question: each answer, each probe, notes between."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownStream

from interviewer.text.sanitize import StreamCleaner, clean_for_terminal
from interviewer.tui.widgets.safe import SafeStatic
from interviewer.tui.widgets.safe_markdown import SafeMarkdown


class Conversation(VerticalScroll):
    """A scrolling transcript that keeps the newest text in view while it streams."""

    can_focus = True

    async def reset(self) -> None:
        """An empty page for the next question."""
        self.anchor(False)
        await self.remove_children()

    def follow(self) -> None:
        """Keep the newest text in view once the transcript overflows. (Anchoring earlier
        would push a short transcript to the bottom of the pane.)"""
        if not self.is_anchored:
            self.call_after_refresh(self._anchor_if_overflowing)

    def _anchor_if_overflowing(self) -> None:
        if self.max_scroll_y > 0 and not self.is_anchored:
            self.anchor()

    async def add_answer(self, text: str) -> None:
        await self.mount(SafeStatic(text, classes="bubble answer"))
        self.follow()

    async def add_note(self, text: str) -> None:
        await self.mount(SafeStatic(text, classes="note"))
        self.follow()

    async def add_markdown(self, text: str, kind: str) -> SafeMarkdown:
        widget = SafeMarkdown(text, classes=f"bubble {kind}")
        await self.mount(widget)
        self.follow()
        return widget


FLUSH_INTERVAL_S = 0.05
"""Streamed text reaches the Markdown widget at most this often (20 times a second). Each update
re-renders the reply's last block, so drawing every chunk of a fast model costs far more than
it shows, and stalls the keys typed meanwhile."""


class StreamingReply:
    """One model reply streaming into a Markdown bubble through `Markdown.get_stream`.

    Chunks are held and drawn together at most every `FLUSH_INTERVAL_S`, sanitised on the way in
    (holding back a split escape sequence); when the engine sends the complete text, it
    replaces what streamed unless it is the same, so the record is what is shown."""

    def __init__(self, conversation: Conversation, kind: str) -> None:
        self._conversation = conversation
        self._kind = kind
        self._widget: SafeMarkdown | None = None
        self._stream: MarkdownStream | None = None
        self._cleaner = StreamCleaner()
        self._held: list[str] = []
        self._shown: list[str] = []
        self._timer: Timer | None = None
        self.chunks = 0

    async def write(self, chunk: str) -> None:
        if self._widget is None:
            self._widget = await self._conversation.add_markdown("", self._kind)
            self._stream = Markdown.get_stream(self._widget)
        self._held.append(chunk)
        self.chunks += 1
        if self._timer is None:
            self._timer = self._conversation.set_timer(FLUSH_INTERVAL_S, self._flush)

    async def _flush(self) -> None:
        self._timer = None
        held, self._held = "".join(self._held), []
        await self._draw(self._cleaner.feed(held))

    async def _draw(self, text: str) -> None:
        if text and self._stream is not None:
            self._shown.append(text)
            await self._stream.write(text)
            self._conversation.follow()

    async def finish(self, final_text: str | None) -> None:
        """Stop streaming; show `final_text` (the engine's record) when given."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._stream is not None:
            held, self._held = "".join(self._held), []
            await self._draw(self._cleaner.feed(held) + self._cleaner.flush())
            await self._stream.stop()
            self._stream = None
        if final_text is None:
            return
        if self._widget is None:
            self._widget = await self._conversation.add_markdown(final_text, self._kind)
        elif clean_for_terminal(final_text) != "".join(self._shown):
            await self._widget.set_source(final_text)
        self._conversation.follow()
