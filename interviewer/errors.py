"""One exception tree. Every error a user can cause says what is wrong, where, and what to do."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What the process exit status tells a script (the README has the same table)."""

    FINISHED = 0
    """Done: the command did what it was asked; a session ran to its end."""
    FAILED = 1
    """A check the command runs did not pass (e.g. `redteam --max-asr`)."""
    BAD_INPUT = 2
    """Bad command line, config, bank, answers file or journal; nothing was started."""
    UNFINISHED = 3
    """The session stopped before its end (answers ran out, Ctrl+D); `resume` continues it."""
    PROVIDER_FAILED = 4
    """The configured provider failed: the run stopped, or bank probes / offline grading stood
    in for it (the report labels them)."""
    REPLAY_MISMATCH = 5
    """Strict replay met a request with no recorded fixture; the run stopped at it."""
    CANNOT_WRITE = 6
    """A file could not be written (disk full, read-only or missing folder)."""
    INTERRUPTED = 130
    """Ctrl+C; what was typed is kept (journal, or the drafts folder)."""


class InterviewerError(Exception):
    """Base of every error we raise on purpose; the CLI prints it as one line and exits with
    `exit_code`."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class ConfigError(InterviewerError):
    """The config file or an environment override is invalid (names the file and key)."""


class BankError(InterviewerError):
    """A question bank file is invalid (names the file, question id or line, and field)."""


class JournalError(InterviewerError):
    """A session journal cannot be read or resumed."""


class ProviderError(InterviewerError):
    """A provider call failed in a way retrying will not fix (bad key, unknown model, ...)."""

    exit_code = ExitCode.PROVIDER_FAILED

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


class AssessUnsupported(ProviderError):
    """The provider cannot assess (a replay of fixtures recorded before assessments existed):
    the engine decides the probe with the offline estimate, as those recordings did."""


class ReplayMismatch(ProviderError):
    """A replayed request has no matching recorded fixture. A set-up error, not a transient
    failure: nothing may stand in for it (no bank probe, no offline grading), or a replay test
    would pass on a run that no longer matches its recording."""

    exit_code = ExitCode.REPLAY_MISMATCH


class FixtureError(InterviewerError):
    """A recorded fixture file is corrupt or truncated (names the file and line)."""


class AnswerError(InterviewerError):
    """An answers file for headless mode is invalid (names the file and line)."""


class StorageError(InterviewerError):
    """A file we must write cannot be (disk full, read-only or missing folder); names the file."""

    exit_code = ExitCode.CANNOT_WRITE
