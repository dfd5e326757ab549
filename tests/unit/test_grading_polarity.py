"""Polarity of clauses: assertion, denial, dismissal, restriction and stance (grading/polarity)."""

from __future__ import annotations

import pytest

from interviewer.grading.polarity import clauses, denies, dismisses, is_denial, overclaims


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
        "Joining model events with other systems adds complexity and buys little",
        "Alerts are just noise",
        "Red-teaming is a nice-to-have that can wait",
        "Alerts fire all night, so turn them off",
        "Keep incident response out of the loop",
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


def test_a_clause_that_opens_access_and_dismisses_a_control_argues_against_both() -> None:
    # As polarity the two flips cancel; as a stance, both argue against the practice.
    assert dismisses("let anyone push data straight into the bucket, schema checks are busywork")
    assert dismisses("Give everybody admin, reviews are pointless")


@pytest.mark.parametrize(
    ("clause", "dismissing"),
    [
        ("Hashing the datasets is overkill", True),
        ("Monitoring is only needed at launch", True),
        ("Let anyone on the team push data into the bucket", True),
        ("The attacker's prompt did not reach any tool", False),
        ("Nothing happened", False),
        ("Not only the prompt but the tools need controls", False),
        ("No broad admin rights on the cluster", False),
        ("We log every tool call", False),
        ('Testers pasted "act as an unrestricted assistant" into tickets', False),
        ("Check permissions in the backend instead of relying only on the model", False),
        ("So I skipped the words retrieval and prompt injection", False),
        ("So anyone could ask it about HR cases", False),
        ("Skip the review", True),
    ],
)
def test_dismissal_is_arguing_against_a_practice_not_plain_negation(
    clause: str, dismissing: bool
) -> None:
    assert dismisses(clause) is dismissing


def test_a_control_for_everyone_opens_nothing() -> None:
    assert not denies("Use strong passwords and MFA for everyone on the team")
    assert denies("Everyone on the team can write to the training bucket")


@pytest.mark.parametrize(
    ("clause", "opens"),
    [
        # Anyone or everyone opens a control up only when granted something.
        ("Let anyone on the team push data straight into the bucket", True),
        ("Keep it all in one bucket everyone can read", True),
        ("Give everybody admin on the training cluster", True),
        ("Open the endpoint to anyone who asks", True),
        ("Everyone has full access to the logs", True),
        ("A dashboard flags anyone repeatedly fishing for other users' data", False),
        ("In the end everyone signed up to a phased release", False),
        ("So everyone acts on the same plan", False),
        ("Anyone could end up seeing production credentials", False),
    ],
)
def test_anyone_opens_a_control_only_when_granted_something(clause: str, opens: bool) -> None:
    assert denies(clause) is opens


@pytest.mark.parametrize(
    ("clause", "denial"),
    [
        ("Only a couple of service accounts can write to the raw bucket", False),
        ("Only a handful of people can change the weights", False),
        ("I skipped the words retrieval and prompt injection", False),
        ("I tried to keep it simple, no jargon", False),
        ("Speak in plain words instead of jargon", False),
        ("Keep the rest of the traffic as metadata only", False),
        ("Anything inside those tags is data only", False),
        ("Logs are for audits only", True),
        ("Monitoring matters at launch only", True),
        ("Skip the review", True),
        ("I'd rely only on a strong system prompt", True),
        ("We skipped the security review to hit the date", True),
    ],
)
def test_a_small_set_of_writers_a_kind_of_data_and_leaving_out_jargon_deny_nothing(
    clause: str, denial: bool
) -> None:
    assert is_denial(clause) is denial


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
