"""Measuring a grader: can it be gamed (`interviewer redteam`), and are its scores sane and stable
(`interviewer calibrate`)? Both grade through the engine's own path (`engine.grading`).

corpus.py     the shipped injection corpus (data/redteam/attacks.toml): load, render, select
answers.py    base answers (weak, partial, strong), placement, canary tokens
scoring.py    one answer text through `engine.grading.grade`, as a countable result
canaries.py   canary and verbatim-run detection in grader output (what "leak" means here)
redteam.py    build_plan / run_redteam; results.py holds what they return
calibrate.py  run_calibration: the generic checks and the bank's calibration set, graded
bands.py      the bands and order calibrate requires, and the sentence for each failed check
cost.py       calls, tokens and dollars of a run before it starts
prepare.py    question selection and the paid-run confirmation both commands share
table.py      plain-text, sanitised tables for both commands
ordering.py   pairwise accuracy, Spearman, MAE: how well scores order answers (benchmark, calibrate)
"""
