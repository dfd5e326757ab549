"""Measure whether a grader can be gamed (`interviewer redteam`) and whether its scores are sane
and stable (`interviewer calibrate`).

corpus.py   the shipped injection corpus (data/redteam/attacks.toml): load, render, select
answers.py  base answers (weak, partial, strong), placement, canary tokens
scoring.py  grade one text the way the engine does (pre-check, provider, checked verdicts)
canaries.py leaks: canary tokens and verbatim runs of confidential text in grader output
redteam.py  build_plan / run_redteam; results.py holds what they return
prepare.py  what both commands do before a run: questions, the cost prompt, progress
cost.py     calls, tokens and dollars of a run before it starts
calibrate.py  run_calibration
table.py    plain-text, sanitised tables for both commands
"""
