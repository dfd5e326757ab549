"""What the offline grader reads past one sentence and one key point: what several sentences say
between them, whether a sentence is about another question of the bank, and whether the answer
is notes rather than prose.

* Combined evidence (`combined_credit`): an answer in the candidate's own words spreads a point
  over several sentences, none close enough alone. Between them, the sentences that support a
  point (clean and relevant, as `coverage` decides) say a share of its words (term recall over
  their union); from COMBINED_FLOOR to COMBINED_FULL that share earns 0 to full credit.

* Another question's answer (`elsewhere`): a sentence much closer to the key points of another
  question of the bank (`Question.other_key_points`) than to this question's own is about that
  question. A good answer to the wrong question shares the field's vocabulary, so point by point
  it would earn crumbs everywhere; its sentences keep only ELSEWHERE_CREDIT. The check is per
  sentence, so adding a sentence never costs the others anything.
* Notes, not prose (`notes_factor`): an answer with almost no function words ("Business risk,
  likelihood, impact. Staged rollout, feature flags.") names terms without explaining any of
  them, even where no single fragment looks like a list. Only the sentences that earn credit are
  read, so a sentence that earns nothing (an aside, an injection the guards missed) cannot
  dilute the check.
* Arguing against the practice (`dismissal_factor`): an answer many of whose clauses about the
  key points dismiss them ("hashing is overkill", "monitoring is only needed at launch", "let
  anyone push data") argues against what the question asks for, even where no single clause
  is judged the opposite of a key point. Its sentences that were not already judged denials
  keep less credit, from DISMISSAL_SHARE_FROM (factor 1) to DISMISSAL_SHARE_FULL
  (DISMISSAL_FACTOR). Sentences already denied keep their own small credit, so a plainly
  negated answer stays just above an off-topic one. Only credited sentences are read, as for
  notes.

Tuned on the tuning split of the development set (tests/data/devset) only.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from interviewer.grading.matcher import Matrix
from interviewer.grading.terms import TermReferences, owned_words, recall_of

COMBINED_FLOOR = 0.1
COMBINED_FULL = 0.4

ELSEWHERE_MARGIN = -0.2
"""A sentence is about another question when its similarity to this question's key points falls
this far below its similarity to the closest other question's."""
ELSEWHERE_CREDIT = 0.2
NOTES_RATIO = 0.15
PROSE_RATIO = 0.2
"""Share of function words at or below which an answer is notes (factor NOTES_FACTOR), and from
which it is prose (factor 1); in between the factor grows linearly. English prose has 35-55%,
a concise expert answer rarely under 20%."""
NOTES_FACTOR = 0.4
DISMISSAL_SHARE_FROM = 0.2
DISMISSAL_SHARE_FULL = 0.5
"""Share of dismissing clauses among the credited sentences' clauses about a key point at which
the factor starts to fall, and at which it reaches DISMISSAL_FACTOR. Strong answers rarely
dismiss anything; "not only", "never rely on X alone" are not dismissals."""
DISMISSAL_FACTOR = 0.3
DISMISSAL_MIN_CLAUSES = 2
"""Fewer dismissing clauses than this are an aside, whatever the answer's length."""


def elsewhere(own: Matrix, others: Matrix) -> npt.NDArray[np.bool_]:
    """(sentences,): True for a sentence about another question, from each sentence's
    similarity to this question's key points (`own`, (n,)) and to every other question's
    (`others`, (n, q))."""
    if not others.shape[1]:
        return np.zeros(len(own), dtype=np.bool_)
    result: npt.NDArray[np.bool_] = own - others.max(axis=1) < ELSEWHERE_MARGIN
    return result


def notes_factor(function_word_ratio: float) -> float:
    """The share of its credit an answer with this share of function words keeps (0-1)."""
    prose = (function_word_ratio - NOTES_RATIO) / (PROSE_RATIO - NOTES_RATIO)
    return NOTES_FACTOR + (1.0 - NOTES_FACTOR) * min(1.0, max(0.0, prose))


def dismissal_factor(dismissing: int, share: float) -> float:
    """The share of its credit a sentence not itself denied keeps in an answer whose credited
    sentences hold `dismissing` dismissing clauses about a key point, `share` of such clauses
    (0-1)."""
    if dismissing < DISMISSAL_MIN_CLAUSES:
        return 1.0
    ramp = (share - DISMISSAL_SHARE_FROM) / (DISMISSAL_SHARE_FULL - DISMISSAL_SHARE_FROM)
    return 1.0 - (1.0 - DISMISSAL_FACTOR) * min(1.0, max(0.0, ramp))


def combined_credit(terms: TermReferences, met: Matrix, support: npt.NDArray[np.bool_]) -> Matrix:
    """(key points,): the credit each point's supporting sentences earn between them, from how
    each sentence meets each point's words (`met`, see `terms.term_matches`) and which sentences
    support which point (`support`, (sentences, key points))."""
    joint = np.zeros((len(terms.starts), met.shape[1]), dtype=np.float32)
    for k in range(len(terms.starts)):
        helping = support[:, k]
        if helping.any():
            columns = owned_words(terms, k)
            joint[k, columns] = met[helping][:, columns].max(axis=0)
    share = np.diagonal(recall_of(terms, joint))
    result: Matrix = np.clip((share - COMBINED_FLOOR) / (COMBINED_FULL - COMBINED_FLOOR), 0.0, 1.0)
    return result.astype(np.float32)
