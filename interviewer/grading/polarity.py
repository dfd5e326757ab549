"""Polarity: does a clause assert what it talks about, or deny it?

A word-embedding model puts "I would log every tool call" and "I would not log tool calls" side
by side: the words are the same. So the offline grader also reads the polarity of an answer's
clause where it matches an asserting reference clause: a denial of an asserted point earns next to
nothing. (A reference clause that itself denies, "the model cannot tell data from instructions",
is not compared: right answers say such content without a negation as often as with one.)

Polarity comes from general English cue words only, never from a field's vocabulary:
* negation: not, no, never, n't, without, none, nothing, nobody, neither/nor;
* dismissal: skip, pointless, unnecessary, overkill, busywork, a waste, irrelevant, overrated,
  optional, "adds complexity", "buys little", "just noise", "can wait", "turn them off";
* a rejected alternative: "rather than ...", "instead of ...";
* restriction: "rely only on ...", "only at launch", "just ship", "X alone", "is enough".

Negation and dismissal flip a clause; restriction flips it too, so "not only", "not just" and
"never rely on X alone" cancel out and stay assertions. "Without" after another negation states a
requirement ("never ship without a review"); repeated negations ("never any alerts, no
playbooks") stay one denial. Cues count within a clause: sentences are cut at clause boundaries
(";", ", but", ", so", "because", "rather than", "without", ", and I ..."), so "log every call,
but never keep raw text" holds one assertion and one denial.

Stance is the second axis: a clause that opens up what the reference narrows ("let anyone push
data" against "restrict who can write") is a denial too, and negating an opening ("no broad admin
rights") asserts the control.
"""

from __future__ import annotations

import re
from functools import lru_cache

from interviewer.text.words import words

# Where a new clause starts. A list ("identity, model version or tool calls") is not cut, so a
# negation at its head governs the whole list.
_CLAUSE_BOUNDARY = re.compile(
    r"\s*[;:]\s+|\s+[-\u2013\u2014]+\s+|\s*\((?=\w)|\)\s*"
    r"|,?\s+(?=(?:but|because|since|whereas|although|though|unless|rather\s+than|instead\s+of|"
    r"so\s+that|which\s+means|otherwise)\b)"
    r"|,\s+(?=(?:so|while|which|then|not|and\s+then|yet)\b)"
    r"|\s+so\s+(?!much\b|many\b|far\b|long\b|on\b|forth\b)(?=\w)"
    r"|,?\s+(?:and|or)\s+(?=(?:i|we|you|they|it|there|he|she|nobody|no\s+one)\b(?!-))"
    r"|,?\s+(?=without\b)"
    # "We page on-call, this isn't a ticket": a comma splice starts a new clause.
    r"|,\s+(?=(?:i|we|you|they|it|this|that|there|he|she)(?:'[a-z]+)?\s)(?!(?:it|that)\s+is\s+)"
    r"|,?\s+(?:and|but)\s+(?=not\b)",
    re.IGNORECASE,
)
_ALTERNATIVE = re.compile(r"(?:rather\s+than|instead\s+of)\b[^,]*(?=,)", re.IGNORECASE)
MIN_CLAUSE_WORDS = 3
"""A shorter piece ("not bolted on" has three) joins the clause before it."""

# Each negation cue has a kind; distinct kinds cancel pairwise, repeats do not.
_NEGATION_KINDS = {
    "not": "not",
    "n't": "not",
    "cannot": "not",
    "no": "no",
    "none": "no",
    "nothing": "no",
    "nobody": "no",
    "no one": "no",
    "no-one": "no",
    "never": "never",
    "without": "without",
    "neither": "nor",
    "nor": "nor",
}
_NEGATION = re.compile(
    r"n't\b|\b(?:no[- ]one|not|cannot|none|nothing|nobody|never|without|neither|nor|no)\b",
    re.IGNORECASE,
)
# A negation inside a relative clause describes a thing, it does not deny the sentence: "code we
# didn't write goes through the scanner". Also idioms that negate nothing.
_NOT_A_DENIAL = re.compile(
    r"\b(?:everything|anything|something|whatever|what|stuff|things?|(?![a-z]*ss\b)[a-z]{3,}s)\s+"
    r"(?:we|you|they|i|people|users|nobody)\s+(?:do|did|does|can|could|have|has|will|would)"
    r"(?:n't|\s+not)\b|\bnothing\s+like\b|\bno\s+(?:matter|doubt)\b|\bnot\s+to\s+mention\b"
    r"|\b(?:that|which|who)\s+(?:\w+\s+)?(?:are|is|do|does|was|were)(?:n't|\s+not)\s*$",
    re.IGNORECASE,
)
# Leaving jargon out is speaking plainly, not denying anything: "I skipped the words retrieval
# and prompt injection", "no jargon", "instead of acronyms".
_PLAIN_WORDS = re.compile(
    r"\b(?:skip\w*|avoid\w*|(?:left|leave|leaving|cut|cutting)\s+out|dropp?\w*|without|no|"
    r"instead\s+of|rather\s+than)\s+(?:the\s+|any\s+|all\s+|those\s+)?(?:\w+\s+)?"
    r"(?:words?|terms?|terminology|jargon|acronyms?|buzzwords?)\b",
    re.IGNORECASE,
)
_DISMISSAL = re.compile(
    r"\b(?:skip(?:s|ped|ping)?|pointless|unnecessary|needless(?:ly)?|overkill|busywork|"
    r"useless|irrelevant|overrated|redundant|theat(?:re|er)|(?:a|of)\s+waste|"
    r"(?:adds?|creates?|too\s+much)\s+friction|friction\s+for|for\s+no\s+gain|"
    r"gets?\s+in\s+the\s+way|slows?\s+(?:\w+\s+){0,2}down|"
    r"too\s+(?:expensive|costly|slow|much\s+(?:work|effort|overhead))|"
    r"no\s+need|needn't|(?:do|does|did)(?:n't|\s+not)\s+need|not\s+(?:needed|necessary|required|worth)|"
    r"adds?\s+(?:\w+\s+)?(?:complexity|overhead|noise)|buys?\s+(?:little|nothing)|"
    r"(?:just|only|mostly|pure(?:ly)?)\s+(?:noise|theory|theoretical|hype)|nice[- ]to[- ]have|"
    r"optional|can\s+wait|wait\s+and\s+see|low\s+priority|out\s+of\s+the\s+loop|"
    r"(?:turn|switch)(?:s|ed|ing)?\s+(?:it|them|that|this|those)\s+off|"
    r"rather\s+than|instead\s+of)\b",
    re.IGNORECASE,
)
# Restriction marks a limit the speaker puts on what is needed. "Only" before a noun ("only
# authorised people can write", "only a couple of accounts") is an ordinary control, so it counts
# only before a preposition, an article, a time word or a verb of need, or at the end of a clause
# after a purpose or a time ("for audits only", "at launch only"; "as metadata only" keeps one
# kind of data, a control); a condition ("release only after the tests pass") is a requirement,
# not a restriction.
_RESTRICTION = re.compile(
    r"(?<![-\w])only\s+(?:on|at|in|during|for|once|to|with|through|via|by|about|"
    r"against|as|a(?!\s+(?:couple|few|handful|small|single|limited|subset)\b)|an|possible|"
    r"relevant|useful|worth|happens?|gets?|"
    r"need(?:s|ed)?|matters?|requires?|worr(?:y|ies))\b"
    r"|\b(?:for|at|during|in|on|once|after|before|until)\s+(?:[\w-]+\s+){0,3}only\s*$"
    r"|\b(?:rel(?:y|ies|ying)|depend(?:s|ing)?|count(?:s|ing)?)\s+(?:\w+\s+)?only\b"
    r"|\bjust\s+(?:ship|trust|rely|use|ask|tighten|tell|add|let|wait|hope|block|retrain|"
    r"restart|redeploy|once)\b|\b(?:is|are|'s|'re)\s+just\b"
    r"|\b\w+\s+alone\b(?!\s+(?:is|are)\s+not)"
    r"|\b(?:is|are|was|be|being|seems?|'s|'re)\s+(?:\w+\s+)?(?:enough|sufficient)\b"
    r"|\bsuffices?\b|\ball\s+you\s+need\b"
    r"|\b(?:only|mainly|mostly|just)\s+(?:needed|necessary|required|matters|useful)\b"
    r"|\bnot\s+(?:just|only|merely|simply|solely)\b",
    re.IGNORECASE,
)
# Stance: does a clause narrow what is allowed, or open it up? "Restrict who can write" and "let
# anyone push data" talk about the same thing in opposite directions, without any negation.
_RESTRICTIVE = re.compile(
    r"\b(?:restrict\w*|limit(?:s|ed|ing)?|least|minimi[sz]\w*|reduc\w*|narrow\w*|constrain\w*|"
    r"fewer|less|lock(?:s|ed|ing)?\s+down|tighten\w*|deny|denied|throttl\w*|careful\w*|"
    r"distrust\w*|untrusted|cautious\w*|strict\w*)\b",
    re.IGNORECASE,
)
_PERMISSIVE = re.compile(
    # Anyone or everyone opens a control up only when granted something ("let anyone push data",
    # "everyone can read it"); "flag anyone fishing for data" and "everyone signed up" do not,
    # nor "MFA for everyone", which applies a control to all.
    r"\b(?:let|lets|letting|allow\w*|give[sn]?|giving|grant\w*|open(?:s|ed)?\s+(?:\w+\s+){0,2}to|"
    r"available\s+to)\s+(?:\w+\s+)?(?:any|every)(?:one|body)\b|"
    r"\b(?:any|every)(?:one|body)\s+(?:\w+\s+){0,3}?(?:can|may|(?:is|are)\s+allowed|"
    r"(?:gets?|has|have)\s+(?:\w+\s+)?access)\b|"
    r"\b(?:anywhere|unlimited|unrestricted|"
    r"unpinned|indefinitely|forever|wide\s+open|(?:full|broad|open)\s+(?:\w+\s+)?(?:access|rights|"
    r"permissions?)|"
    r"trust(?:s|ed|ing)?\s+(?:\w+\s+){0,3}(?:fully|completely|by\s+default|by\s+definition)|"
    r"(?:fully|completely)\s+trust\w*|trusted\s+by|as\s+(?:it|they)\s+(?:is|are|arrives?)|"
    r"straight\s+into|more\s+(?:data|access)\s+is\s+(?:always\s+)?better|as\s+is)\b",
    re.IGNORECASE,
)


def clauses(sentence: str) -> tuple[str, ...]:
    """The clauses of one sentence, in order (at least one when it has any word)."""
    return _clauses(sentence)


@lru_cache(maxsize=8192)  # pure; the same sentences come back on every re-grade
def _clauses(sentence: str) -> tuple[str, ...]:
    pieces: list[str] = []
    last = 0
    for match in _CLAUSE_BOUNDARY.finditer(sentence):
        pieces.append(sentence[last : match.start()])
        last = match.end()
    pieces.append(sentence[last:])
    # A rejected alternative is a phrase, not the rest of the sentence: "a class instead of a
    # score, and a fingerprint in outputs" asserts the fingerprint.
    pieces = [part for piece in pieces for part in _cut_alternative(piece.strip())]
    result: list[str] = []
    for piece in (p.strip(" ,.;:!?") for p in pieces):
        if not words(piece):
            continue
        # "Without" is a phrase of its own ("move fast without being careless"), except after a
        # negation, where the two make one requirement ("never ship without a review").
        requirement = piece[:8].lower() == "without " and result and _negations(result[-1])
        if result and (requirement or len(words(piece)) < MIN_CLAUSE_WORDS):
            result[-1] = f"{result[-1]} {piece}"
        else:
            result.append(piece)
    if len(result) > 1 and len(words(result[0])) < MIN_CLAUSE_WORDS:
        result[:2] = [f"{result[0]} {result[1]}"]
    return tuple(result)


def _cut_alternative(piece: str) -> tuple[str, ...]:
    match = _ALTERNATIVE.match(piece)
    return (piece[: match.end()], piece[match.end() + 1 :]) if match else (piece,)


def _negations(clause: str) -> set[str]:
    """The kinds of negation cue in `clause`, leaving out negations that only qualify a noun
    ("everything we didn't build", "inputs that look nothing like training")."""
    clause = _NOT_A_DENIAL.sub(" ", clause)
    return {_NEGATION_KINDS[m.group().lower()] for m in _NEGATION.finditer(clause)}


@lru_cache(maxsize=8192)
def is_denial(clause: str) -> bool:
    """True when the clause denies, dismisses or restricts what it talks about."""
    clause = _PLAIN_WORDS.sub(" ", clause)
    kinds = _negations(clause)
    others = kinds - {"without"}
    # "Without" after another negation states a requirement ("never ship without a review").
    negated = not others if "without" in kinds else bool(others)
    dismissed = _DISMISSAL.search(clause) is not None
    restricted = _RESTRICTION.search(clause) is not None
    # Restriction inverts a negation ("not only", "never rely on X alone"); a dismissal stands
    # ("skip the review and just ship").
    return dismissed or negated != restricted


@lru_cache(maxsize=8192)
def stance(clause: str) -> int:
    """+1 when the clause narrows what is allowed, -1 when it opens it up, 0 when neither."""
    narrows = _RESTRICTIVE.search(clause) is not None
    opens = _PERMISSIVE.search(clause) is not None
    return int(narrows) - int(opens)


@lru_cache(maxsize=8192)
def denies(clause: str) -> bool:
    """The clause's polarity, which an answer's clause and the reference clause it matches must
    share: True when it denies what it talks about. Opening up counts as denying a control ("let
    anyone write" against "restrict who can write"), so denying an opening asserts one ("no broad
    admin rights")."""
    return is_denial(clause) != (stance(clause) < 0)


_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")
_DONE = re.compile(r"\bskipped\b", re.IGNORECASE)
_POSSIBLE = re.compile(r"\b(?:could|might)\b", re.IGNORECASE)
_REJECTED = re.compile(r"\b(?:rather\s+than|instead\s+of)\b.*", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=8192)
def dismisses(clause: str) -> bool:
    """True when the clause argues against a practice rather than merely saying no: a
    dismissal ("overkill", "adds complexity"), or a restriction or an opening that no negation
    takes back ("only needed at launch", "let anyone push data"; not "not only", "no broad
    rights"). Left out, because they argue for nothing: plain negation (stories say "nothing
    happened", "it did not call the tool"), quoted words (an attacker's "act as an unrestricted
    assistant"), a rejected alternative ("instead of relying on the model" names what the
    speaker argues for as often as what they dismiss), what was done ("we skipped the jargon")
    and what was possible ("anyone could ask it about HR cases" describes the risk)."""
    clause = _REJECTED.sub(" ", _QUOTED.sub(" ", clause))
    if _DISMISSAL.search(_DONE.sub(" ", clause)) is not None:
        return True
    kinds = _negations(clause)
    others = kinds - {"without"}
    negated = not others if "without" in kinds else bool(others)
    opens = stance(clause) < 0 and _POSSIBLE.search(clause) is None
    return (_RESTRICTION.search(clause) is not None or opens) and not negated


# Claims no careful engineer makes: a control that "guarantees", "eliminates" or makes a system
# "immune" is a confident misunderstanding, whatever vocabulary surrounds it.
_OVERCLAIM = re.compile(
    r"\b(?:universal(?:ly)?|guarantee[sd]?|completely|entirely|immune|eliminat(?:e|es|ed|ing)|"
    r"bulletproof|foolproof|basically\s+all|complete\s+fix|never\s+fails?)\b|\b100\s?%",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def overclaims(sentence: str) -> bool:
    """True when a clause of the sentence asserts an absolute claim about what a measure
    achieves; denying one is careful ("no single control completely stops it")."""
    return any(
        _OVERCLAIM.search(clause) is not None and not is_denial(clause)
        for clause in clauses(sentence)
    )
