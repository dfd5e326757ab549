"""What the interview screen says when an engine call fails: a title and one message that names
the cause and what to do next."""

from __future__ import annotations

from interviewer.errors import ProviderError
from interviewer.text.sanitize import clean_line


def failure_notice(exc: Exception, *, answer_kept: bool, grading_failed: bool) -> tuple[str, str]:
    """(title, message) for `exc`. `answer_kept`: the answer is still in the editor (the engine
    never took it); `grading_failed`: the question waits for ctrl+r / ctrl+o."""
    actions = []
    if answer_kept:
        actions.append("The answer in the editor is kept: ctrl+s sends it again.")
    if grading_failed:
        actions.append("ctrl+r retries grading, ctrl+o grades offline.")
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
