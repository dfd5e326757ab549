"""The interview engine: an async state machine over the Provider protocol. No Textual here.

Usage (TUI and headless alike)::

    interview = Interview.new(plan, interviewer=p, grader=g, journal=j)
    async for event in interview.start():      # QuestionAsked (or the open probe after resume)
        show(event)
    while not interview.finished:
        async for event in interview.submit(answer_text):
            show(event)                         # ProbeDelta..., ProbeAsked | QuestionEvaluated,
                                                # QuestionAsked | SessionFinished ...

Every answer is journaled (fsynced) before any provider call, so nothing typed is lost.
"""

from __future__ import annotations

# IMPLEMENTATION IN PROGRESS (lead engineer). The public API in this docstring is fixed.
