"""What the interview screen says when something goes wrong: a failed engine call (a title and
one message that names the cause and what to do next), the engine's notices and failed
gradings as toasts, and when to offer going on offline for the rest of the session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from interviewer.engine.events import AnswerRejected, Event, Notice
from interviewer.errors import ProviderError
from interviewer.journal import GradingFailedRecord, WentOffline
from interviewer.text.sanitize import clean_line

if TYPE_CHECKING:
    from interviewer.engine.session import Interview

OFFLINE_KEY = "ctrl+g"
GO_OFFLINE = f"{OFFLINE_KEY} goes on offline for the rest of this session."
WENT_OFFLINE = (
    "The rest of this session is offline: probes from the bank, scores from the offline grader "
    "(the report names the grader of each score)."
)


@dataclass(frozen=True)
class Toast:
    message: str
    title: str = ""
    severity: SeverityLevel = "information"
    timeout: float | None = None


class OfflineOffer:
    """After a provider failure in this run (a failed grading, a probe or assessment something
    stood in for, a provider error), going on offline for the rest of the session is offered
    (`Interview.continue_offline`) while the session is open and not offline already."""

    def __init__(self) -> None:
        self.failure: str | None = None
        """The last provider failure: the reason journaled with `WentOffline`."""

    def saw(self, event: Event | Exception) -> None:
        if isinstance(event, GradingFailedRecord):
            self.failure = event.message
        elif isinstance(event, Notice) and event.provider_failed:
            self.failure = event.text
        elif isinstance(event, ProviderError):
            self.failure = str(event)

    def offered(self, interview: Interview) -> bool:
        names = (interview.interviewer_name, interview.grader_name)
        return (
            self.failure is not None
            and not interview.finished
            and not interview.offline_for_rest
            and names != ("offline", "offline")
        )


def event_toast(event: Event, *, offline_offered: bool) -> Toast | None:
    """The toast for an engine event, if it has one."""
    offer = f" {GO_OFFLINE}" if offline_offered else ""
    if isinstance(event, GradingFailedRecord):
        message = (
            f"Grading failed: {clean_line(event.message)} Your answers are saved. Press ctrl+r "
            f"to retry grading, or ctrl+o to grade this question offline.{offer}"
        )
        return Toast(message, "Grading failed", "error", 30)
    if isinstance(event, WentOffline):
        return Toast(WENT_OFFLINE, "Offline")
    if isinstance(event, AnswerRejected):
        return Toast(clean_line(event.reason), severity="warning")
    if isinstance(event, Notice):
        return Toast(clean_line(event.text) + (offer if event.provider_failed else ""))
    return None


def failure_notice(
    exc: Exception, *, answer_kept: bool, grading_failed: bool, offline_offered: bool = False
) -> tuple[str, str]:
    """(title, message) for `exc`. `answer_kept`: the answer is still in the editor (the engine
    never took it); `grading_failed`: the question waits for ctrl+r / ctrl+o; `offline_offered`:
    `GO_OFFLINE` follows a provider error."""
    actions = []
    if answer_kept:
        actions.append("The answer in the editor is kept: ctrl+s sends it again.")
    if grading_failed:
        actions.append("ctrl+r retries grading, ctrl+o grades offline.")
    if offline_offered and isinstance(exc, ProviderError):
        actions.append(GO_OFFLINE)
    detail = clean_line(str(exc)) or type(exc).__name__
    if isinstance(exc, ProviderError):
        title, message = "Provider error", detail
    elif isinstance(exc, OSError):
        title = "Disk error"
        message = (
            f"Could not write the session to disk ({detail}). Free some space or fix the "
            "folder's permissions."
        )
    else:
        title = "Unexpected error"
        message = f"The interview engine failed: {type(exc).__name__}: {detail}."
    return title, f"{message} {' '.join(actions)}".strip()
