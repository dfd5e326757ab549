"""Polarity of clauses: assertion, denial, dismissal, restriction and stance (grading/polarity)."""

from __future__ import annotations

import pytest

from interviewer.grading.polarity import clauses, denies, is_denial, overclaims


def test_clauses_cut_at_clause_boundaries_not_inside_lists() -> None:
    assert clauses("I'd log every call, but never keep the raw text.") == (
        "I'd log every call",
        "but never keep the raw text",
    )
    # A negation at the head of a list governs the whole list.
    assert clauses("I wouldn't log the identity, model version or tool calls.") == (
        "I wouldn't log the identity, model version or tool calls",
    )
    # A comma splice starts a new clause: the negation stays in its own.
    assert clauses("I'd open an incident and page on-call, this isn't a ticket for later.") == (
        "I'd open an incident and page on-call",
        "this isn't a ticket for later",
    )
    # A rejected alternative ends at its comma; what follows is asserted again.
    assert clauses("Return a class instead of a score, and watermark the outputs.") == (
        "Return a class",
        "instead of a score",
        "and watermark the outputs",
    )


@pytest.mark.parametrize(
    "clause",
    [
        "I would not log tool calls",
        "There's no need for dashboards",
        "Never any alerts, no playbooks, no correlation",
        "Skip the review",
        "Canary testing is pointless",
        "Correlating the logs is overkill",
        "I'd rely only on the system prompt",
        "A single good prompt is enough",
        "Monitoring is only needed at launch",
        "instead of bolting security on after launch",
        "without being careless",
        "There's no need to label the retrieved content",
        "Redaction isn't needed",
    ],
)
def test_denials(clause: str) -> None:
    assert is_denial(clause)


@pytest.mark.parametrize(
    "clause",
    [
        "I would log every tool call",
        "Not only the prompt but the tools need controls",
        "Never rely on the prompt alone",
        "Never ship without a security review",
        "Everything we didn't build goes through the scanner",
        "Inputs that look nothing like the training data get flagged",
        "The storage is append-only with a short list of writers",
        "Only authorised people can change the datasets",
        "Release only after the robustness tests pass review",
        "Alert on tools used that normally aren't",
    ],
)
def test_assertions(clause: str) -> None:
    assert not is_denial(clause)


def test_opening_up_denies_a_control_and_denying_an_opening_asserts_it() -> None:
    assert denies("Let anyone on the team push data into the bucket")
    assert denies("Give the agent full access to every tool")
    assert not denies("Restrict who can write to the bucket")
    assert not denies("Separate accounts and no broad admin rights")


@pytest.mark.parametrize(
    ("sentence", "absolute"),
    [
        ("Adversarial training is the universal fix for all three.", True),
        ("An output filter is a complete fix for any leak.", True),
        ("Signing the datasets guarantees their integrity.", True),
        ("No single control completely stops every adversarial threat.", False),
        ("We sign the datasets so tampering can be detected.", False),
    ],
)
def test_absolute_claims_are_overclaims_unless_denied(sentence: str, absolute: bool) -> None:
    assert overclaims(sentence) is absolute
