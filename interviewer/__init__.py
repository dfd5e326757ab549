"""interviewer: an LLM-backed mock interviewer for the terminal."""

__version__ = "0.1.0"
