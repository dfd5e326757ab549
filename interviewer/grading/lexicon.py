"""Concept groups for AI/ML security vocabulary, used to bridge paraphrases.

The bundled model is a static word-embedding model: it matches "checksum" to "checksum" far
better than to "hash". Candidates rarely use the bank's words, so before embedding, every text
(answer units and references alike) gets the canonical term of each concept it mentions appended.
A sentence about "verifying digests" and a key point about "hashing datasets" then share tokens.

Groups are general vocabulary of the field, not phrases from any bank's sample answers. Variants
match on word boundaries, case-insensitively, with common English suffixes.
"""

from __future__ import annotations

import re
from functools import lru_cache

# (canonical terms appended, variants that signal the concept)
_GROUPS: tuple[tuple[str, str], ...] = (
    (
        "hash integrity",
        r"hash|checksum|digest|fingerprint~|sha-?256|sha-?1|md5|tamper-evident|"
        r"integrity check|sign(?:ed|ing)? (?:the )?(?:data|dataset|artifact|model|image)|"
        r"sigstore|cosign|signature",
    ),
    (
        "provenance",
        r"provenance|lineage|chain of custody|where (?:it|the data) came from|who produced|"
        r"pedigree|origin of",
    ),
    (
        "schema validation",
        r"schema|expected format|data contract|type check|format check|validat~|"
        r"sanity-check|sanity check",
    ),
    (
        "access control",
        r"access control|permission|authori[sz]~|role-based|user's role|group membership|"
        r"entitled|rbac|abac|least[- ]privilege|write access|"
        r"entitlement|iam|acl|allowed to|lock(?:ed)? down|narrow(?:est)? permission|"
        r"need-to-know",
    ),
    (
        "isolate",
        r"isolat~|sandbox~|segregat~|air-?gapped|dedicated (?:environment|network)|"
        r"separate network|own network|vpc",
    ),
    (
        "log audit",
        r"log|logg~|audit~|telemetry|trace|tracing|record every|keep a record|"
        r"structured record|transcript",
    ),
    (
        "traceability",
        r"traceab~|reproducib~|reconstruct|experiment tracking|mlflow|which commit|"
        r"which snapshot|versioned",
    ),
    (
        "vulnerability scan",
        r"vulnerab~|cve|scan|scanner|snyk|trivy|grype|dependabot|sbom|software composition",
    ),
    (
        "dependencies third-party",
        r"dependenc~|third-party|third party|open-source|open source|package|pypi|"
        r"(?:third-party|open-source|external|python|ml) librar~|"
        r"npm|base image|container image|docker image|pin(?:ned)? version|pretrained|"
        r"pre-trained|downloaded weights|model hub|hugging ?face|code we didn't (?:write|"
        r"author)",
    ),
    (
        "adversarial testing red team",
        r"red[- ]team~|adversarial test~|pen(?:etration)? ?test~|attack it|"
        r"attack the model|stress[- ]test~|perturb~|adversarial example|jailbreak test~|"
        r"as an attacker",
    ),
    (
        "release approval gate",
        r"approv~|sign[- ]off|signs off|release gate|go/no-go|review board|"
        r"gate(?:d)? (?:the )?(?:release|deploy~)",
    ),
    (
        "monitor detect",
        r"monitor~|watch|observab~|alert|dashboard|detect~|anomal~|odd pattern|unusual|"
        r"spike|burst|strange|suspicious|weird",
    ),
    (
        "drift",
        r"drift|distribution shift|shift in|data shift|request mix",
    ),
    (
        "model extraction",
        r"extraction|model theft|steal|stealing|clone|cloning|copy (?:of )?the model|"
        r"distillation attack|sweep(?:ing)? the input|systematic quer~",
    ),
    (
        "prompt injection",
        r"prompt injection|jailbreak|injected instruction|override (?:our|"
        r"the) (?:directives|instructions)|crafted input|hijack~",
    ),
    (
        "untrusted content",
        r"untrusted|malicious content|web ?page|email|upload~|retrieved (?:content|text|"
        r"document|page)|external content|attacker-controlled",
    ),
    (
        "separate delimit",
        r"delimit~|fence|quoted material|wrap(?:ped)? in|spotlight~|kept apart|keep apart|"
        r"separat~",
    ),
    (
        "human approval",
        r"human approval|human in the loop|human-in-the-loop|human review|manual review|"
        r"a person (?:to )?confirm|waits? for a person|someone (?:has to|must) confirm",
    ),
    (
        "tools actions",
        r"tool|function call|functions it|plugin|integration|api call|invok~|take action|"
        r"actions it",
    ),
    (
        "secrets sensitive data",
        r"secret|credential|api key|password|token|pii|personal data|personal detail|"
        r"private record|confidential|sensitive data|private data|customer data",
    ),
    (
        "minimize data",
        r"minimi[sz]~|keep less|only what(?:'s| is) needed|don't (?:put|store)|"
        r"wouldn't store|least data",
    ),
    (
        "redact",
        r"redact~|mask|scrub~|anonymi[sz]~|pseudonymi[sz]~|de-identif~",
    ),
    (
        "rate limit",
        r"rate[- ]limit~|throttl~|quota|cap (?:the )?request~|limit request~|ban|"
        r"per-client limit",
    ),
    (
        "watermark",
        r"watermark~|fingerprint (?:in|the) (?:responses|outputs)|embed a fingerprint",
    ),
    (
        "canary",
        r"canary|canaries|honeytoken|unique marker|planted|fake record|made-up",
    ),
    (
        "memorization",
        r"memori[sz]~|regurgitat~|verbatim|reproduce training",
    ),
    (
        "retrieval",
        r"retrieval|rag|vector (?:store|database|db)|knowledge (?:base|store)|search index|"
        r"embedding",
    ),
    (
        "incident response",
        r"incident|emergency|breach|on-call|war room|playbook|runbook",
    ),
    (
        "contain",
        r"contain~|stop the bleeding|block|disable|switch off|kill switch|fallback|"
        r"restricted mode|safe mode|safer mode",
    ),
    (
        "preserve evidence forensics",
        r"preserv~|evidence|forensic~|snapshot|retain (?:the )?logs",
    ),
    (
        "root cause",
        r"root cause|how they got in|post-?mortem|retrospective|post-incident|"
        r"lessons learned",
    ),
    (
        "coordinate teams",
        r"coordinat~|war room|single channel|cross-team|stakeholder|one clear response",
    ),
    (
        "poisoning",
        r"poison~|tamper(?:ed|ing)? (?:with )?(?:the )?(?:data|corpus)|tainted|corrupt~|"
        r"backdoor",
    ),
    (
        "evasion",
        r"evasion|evade|fool the (?:model|classifier)|adversarial input",
    ),
    (
        "temperature sampling",
        r"temperature|randomness|sampling setting|top-p",
    ),
    (
        "context length",
        r"context length|context window|how much history",
    ),
    (
        "leak exfiltration",
        r"leak~|disclos~|exposure|exfiltrat~|spill|smuggl~|surfac~",
    ),
    (
        "system prompt",
        r"system prompt|hidden preamble|hidden instruction|preamble",
    ),
    (
        "data retention",
        r"retention|retain|zero-retention|residency|stored for|kept for",
    ),
    (
        "contract compliance",
        r"contract|dpa|sla|soc ?2|iso ?27001|complian~|certification",
    ),
    (
        "staged rollout",
        r"staged rollout|gradual rollout|feature flag|canary release|pilot|limited release|"
        r"narrow rollout|phased|beta|subset of users|small group of users|slice of users|"
        r"toggle|dark launch|roll ?back",
    ),
    (
        "business impact",
        r"business impact|business terms|revenue|reputation~|likelihood|customer trust|money|"
        r"financial|fines|lost trust|brand|dollar~|cost us|would cost",
    ),
    (
        "escalate",
        r"escalat~|leadership|ciso|raise it|up the chain|execs|executive~|management",
    ),
    (
        "layered defense",
        r"layered|defen[cs]e in depth|multiple layers|overlapping|several (?:controls|"
        r"safeguards)|no single|stack (?:several|multiple)",
    ),
    (
        "every stage lifecycle",
        r"every stage|each stage|each phase|lifecycle|from day one|by design|built in|"
        r"bolt(?:ed)? on",
    ),
    (
        "breach notification",
        r"breach notification|notify us|tell us (?:quickly )?if|notif~ (?:of|about) (?:a )?breach",
    ),
    (
        "tenant isolation",
        r"tenant~|multi-tenant|other customers|one customer|walled off|customer isolation",
    ),
    (
        "proxy gateway",
        r"proxy|proxies|gateway|broker|middleware|in front of",
    ),
    (
        "document decision owner",
        r"document~ the decision|written down|write (?:it|this|that) down|risk register|"
        r"risk acceptance|accepted risk|owner|named person",
    ),
    (
        "must-fix triage compensating controls",
        r"must-fix|blocker|triage|prioriti[sz]~|non-negotiable|showstopper|compensating|"
        r"stopgap|interim control|live with",
    ),
    (
        "enable safe delivery",
        r"enabl~|path forward|way to (?:still )?ship|department of no|help (?:the team )?ship|"
        r"safe delivery|say(?:ing)? no",
    ),
    (
        "plain language",
        r"plain (?:language|english)|jargon|non-technical|lay(?:man)? terms|simple terms|"
        r"everyday language",
    ),
    (
        "analogy scenario",
        r"analogy|analogies|scenario|metaphor|imagine|story",
    ),
    (
        "without hype",
        r"hype|fear-?monger~|sci-?fi|alarmist|scare|sensational~|exaggerat~|doom",
    ),
    (
        "collaboration",
        r"collaborat~|worked with|partner~|cross-functional|together|platform team|"
        r"product team|infra (?:folks|team)",
    ),
    (
        "lesson learned",
        r"lesson|learned|takeaway|stuck with me|in hindsight|realised|realized",
    ),
    (
        "system design",
        r"architecture|system design|design problem|around the model",
    ),
)


# A variant ending in "~" is a stem ("vulnerab~" matches vulnerable, vulnerability); any other
# variant takes only plural and verb endings, so "fine" does not match "fine-tuning".
_ENDINGS = r"(?:s|es|ed|d|ing|ging|ning)?\b"


def _compile(variants: str) -> re.Pattern[str]:
    parts = [
        part[:-1] + r"[a-z]*" if part.endswith("~") else part + _ENDINGS
        for part in _top_level(variants)
    ]
    return re.compile(r"\b(?:" + "|".join(parts) + ")", re.IGNORECASE)


def _top_level(variants: str) -> list[str]:
    """Split on "|" outside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in variants:
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    parts.append(current)
    return parts


_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (canonical, _compile(variants)) for canonical, variants in _GROUPS
)


def concepts(text: str) -> list[str]:
    """Canonical terms of the concepts `text` mentions, in lexicon order."""
    return list(_concepts(text))


@lru_cache(maxsize=8192)
def _concepts(text: str) -> tuple[str, ...]:
    # The regexes are most of a grading's cost, and graders meet the same sentences again and
    # again (an answer re-graded after a probe, a red-team base answer under every injection).
    return tuple(canonical for canonical, pattern in _COMPILED if pattern.search(text))


def expand(text: str) -> str:
    """`text` with the canonical terms of its concepts appended (what gets embedded)."""
    found = concepts(text)
    return f"{text} {' '.join(found)}" if found else text
