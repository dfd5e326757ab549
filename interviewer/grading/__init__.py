"""Grading: the pre-check, the checked score, and the embedded offline grader.

Importing this package is cheap; the model loads on the first call that needs it.

* checks.precheck        empty / too short / gibberish, before any provider call
* score.check_verdicts   keep only verdicts whose evidence the candidate really wrote
* score.compute_score    THE 0-10 score, for every provider
* coverage.assess        offline key-point coverage (semantic matching, WordLlama)
* pointers.sample_pointers  where the sample answer makes each point an answer missed
"""
