"""One exception tree. Every error a user can cause says what is wrong, where, and what to do."""

from __future__ import annotations


class InterviewerError(Exception):
    """Base of every error we raise on purpose; the CLI prints it as one line and exits 2."""

    exit_code = 2


class ConfigError(InterviewerError):
    """The config file or an environment override is invalid (names the file and key)."""


class BankError(InterviewerError):
    """A question bank file is invalid (names the file, question id or line, and field)."""


class JournalError(InterviewerError):
    """A session journal cannot be read or resumed."""


class ProviderError(InterviewerError):
    """A provider call failed in a way retrying will not fix (bad key, unknown model, ...)."""

    def __init__(self, message: str, *, retryable: bool = False, partial_text: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.partial_text = partial_text


class GradingFailed(ProviderError):
    """The provider's structured grading output was unusable even after one repair attempt."""

    def __init__(self, message: str, *, usage: object = None) -> None:
        super().__init__(message)
        self.usage = usage
        """The `domain.Usage` of the calls already made (and paid for) before giving up."""


class ReplayMismatch(ProviderError):
    """A replayed request has no matching recorded fixture."""


class FixtureError(InterviewerError):
    """A recorded fixture file is corrupt or truncated (names the file and line)."""


class AnswerError(InterviewerError):
    """An answers file for headless mode is invalid (names the file and line)."""
