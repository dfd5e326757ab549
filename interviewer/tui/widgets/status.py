"""The status bar: provider and model, tokens and cost, elapsed time, the question timer."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widgets import Static

from interviewer.domain import Usage
from interviewer.text.sanitize import clean_line


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_usage(usage: Usage) -> str:
    tokens = usage.input_tokens + usage.output_tokens
    return f"{tokens:,} tok · ${usage.cost_usd:.4f}"


class StatusBar(Static):
    """One line, refreshed once a second and whenever the app has news."""

    def __init__(self, clock: Callable[[], float], *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._clock = clock
        self.provider = ""
        self.usage = Usage()
        self.started_at = clock()
        self.question_started_at: float | None = None
        self.time_limit_s = 0

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh_status)
        self.refresh_status()

    def refresh_status(self) -> None:
        now = self._clock()
        parts = [clean_line(self.provider), format_usage(self.usage)]
        parts.append(f"elapsed {format_duration(now - self.started_at)}")
        if self.question_started_at is not None:
            spent = now - self.question_started_at
            if self.time_limit_s:
                left = self.time_limit_s - spent
                if left < 0:
                    parts.append(f"question over time by {format_duration(-left)}")
                else:
                    parts.append(f"question {format_duration(left)} left")
                self.set_class(left < 0, "-overtime")
            else:
                parts.append(f"question {format_duration(spent)}")
        self.update(Content(" │ ".join(parts)))
