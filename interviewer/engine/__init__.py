"""The interview engine. No Textual here, and nothing above it is imported.

session.py   `Interview`: the async state machine the front ends drive (start, submit, skip,
             retry or offline grading, cancel)
view.py      `SessionView`: what callers read about a session (header, progress, usage, report)
assessing.py after an answer: the grader assesses it and the probing policy decides the probe
state.py     `SessionState`: the journal's records folded into a session, and its Report
grading.py   the one grading path: answer cut, pre-check, provider, checked verdicts, our score
probing.py   the one probing path: the interviewer words a probe, the bank stands in on failure
events.py    what the engine yields besides the records it journals (deltas, notices)
cancel.py    `CancelScope`: stop a provider stream at once
catalog.py   finding sessions by id or prefix, and summarising them
"""
