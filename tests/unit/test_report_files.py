"""Report files are safe to `cat`, whichever path writes them.

Hostile text (escape sequences, C1 controls, bidi controls) in the candidate's answers, the
model's probes and the grader's feedback, evidence, strengths and gaps goes through every report
path: `run --report`, `resume --report`, `replay --report` (Markdown and JSON) and the TUI export.
The file holds none of it, while the words around it stay; the JSON still parses to the exact
record."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from interviewer import paths
from interviewer.cli import main
from interviewer.config import Settings
from interviewer.domain import GraderOutput, KeyPointVerdict, Verdict
from interviewer.errors import ExitCode
from interviewer.report import Report, export_report, to_markdown
from interviewer.text.sanitize import clean_for_terminal
from tests.fakes import ScriptedProvider

BANK = Path(__file__).parents[1] / "data" / "banks" / "good.toml"

TITLE = "\x1b]0;pwned-title\x07"
CLIPBOARD = "\x1b]52;c;ZXZpbCBjbGlw\x1b\\"
CSI = "\x1b[2J\x1b[H\x1b[31m"
C1 = "\x9b2J\x9d0;c1-title\x9c\x85"
BIDI = "\u202eevil\u202c \u2066iso\u2069\u200f"
PAYLOADS = ("pwned-title", "ZXZpbCBjbGlw", "c1-title", "[2J", "[31m")
RAW_CONTROLS = {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {"\x7f"}
RAW_CONTROLS |= {chr(c) for c in range(0x80, 0xA0)}
RAW_CONTROLS |= {"\u202e", "\u202c", "\u2066", "\u2069", "\u200f"}


def hostile(word: str) -> str:
    return f"{word} {TITLE}one {CLIPBOARD}two {CSI}three {C1}four {BIDI} five\x7f end"


VISIBLE = ("one", "two", "three", "four", "five", "end", "evil", "iso")
PROSE = (
    "I would validate every data source and check schemas at ingestion, restrict who can modify "
    "the datasets, and sign them so that tampering is detectable"
)
ANSWER_1 = f"{PROSE}. {hostile('First-answer')}."
ANSWER_2 = f"{PROSE} in production. {hostile('Second-answer')}."
# The same payloads in another order: a probe repeating a long run of the answer is rejected as
# an echo before any report sees it (providers.output_check).
PROBE = f"The-probe {BIDI} one {C1}two {CSI}three {CLIPBOARD}four {TITLE}five\x7f end"
FEEDBACK = hostile("The-feedback")
STRENGTH = hostile("A-strength")
GAP = hostile("A-gap")


def assert_safe(path: Path, *words: str) -> str:
    """The file is private, holds no control or bidi character, and keeps the visible words."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    raw = sorted({f"U+{ord(c):04X}" for c in text if c in RAW_CONTROLS})
    assert not raw, f"{path.name} holds {raw}"
    assert clean_for_terminal(text) == text
    for word in (*words, *VISIBLE):
        assert word in text, f"{word!r} is missing from {path.name}"
    return text


def assert_safe_markdown(path: Path, *words: str) -> None:
    text = assert_safe(path, *words)
    for payload in PAYLOADS:
        assert payload not in text
    assert "<U+202E>evil" in text  # the override shows as a marker, not silently dropped


def assert_safe_json(path: Path, *words: str) -> dict[str, Any]:
    assert_safe(path, *words)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def hostile_grade() -> GraderOutput:
    return GraderOutput(
        verdicts=(
            KeyPointVerdict(key_point_id="point-1", verdict=Verdict.COVERED, evidence=ANSWER_2),
            *(
                KeyPointVerdict(key_point_id=f"point-{n}", verdict=Verdict.MISSED)
                for n in range(2, 6)
            ),
        ),
        strengths=(STRENGTH,),
        gaps=(GAP,),
        feedback=FEEDBACK,
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.delenv(paths.ENV_CONFIG, raising=False)
    for name in ("INTERVIEWER_PROVIDER", "INTERVIEWER_GRADER_PROVIDER", "INTERVIEWER_RECORD_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> ScriptedProvider:
    """A scripted model behind the CLI, for two sessions: the hostile probe (an escape split
    across chunks) and the hostile grade."""
    provider = ScriptedProvider()
    for _ in range(2):
        provider.enqueue_probe(PROBE[:16], PROBE[16:])
        provider.enqueue_grade(hostile_grade())

    def build_pair(settings: Settings) -> tuple[ScriptedProvider, ScriptedProvider]:
        return provider, provider

    monkeypatch.setattr("interviewer.providers.registry.build_pair", build_pair)
    return provider


def answers_file(path: Path, *answers: str) -> Path:
    path.write_text("".join(json.dumps({"text": a}) + "\n" for a in answers), encoding="utf-8")
    return path


START = ["--bank", str(BANK), "--count", "1", "--seed", "1", "--max-probes", "1"]
WORDS = ("First-answer", "The-probe", "Second-answer", "The-feedback", "A-strength", "A-gap")


def assert_exact_record(data: dict[str, Any]) -> None:
    """Escaped, not altered: the JSON is the exact record of what was said."""
    [item] = data["questions"]
    assert [e["answer"] for e in item["exchanges"]] == [ANSWER_1, ANSWER_2]
    assert item["probes"] == [PROBE]
    evaluation = item["evaluation"]
    assert evaluation["feedback"] == FEEDBACK
    assert evaluation["strengths"] == [STRENGTH] and evaluation["gaps"] == [GAP]
    assert evaluation["verdicts"][0]["evidence"] == ANSWER_2


def test_run_and_replay_reports_are_safe_in_markdown_and_json(
    home: Path, tmp_path: Path, model: ScriptedProvider
) -> None:
    answers = answers_file(tmp_path / "answers.jsonl", ANSWER_1, ANSWER_2)
    run_md, run_json = tmp_path / "run.md", tmp_path / "run.json"
    assert main(["run", *START, "--answers", str(answers), "--report", str(run_md)]) == 0
    assert main(["run", *START, "--answers", str(answers), "--report", str(run_json)]) == 0
    assert model.history and not model.probes and not model.grades  # both sessions asked
    assert_safe_markdown(run_md, *WORDS)
    assert '"I would validate' in run_md.read_text(encoding="utf-8")  # the evidence quote
    # The session's own key point text names the verdict, not its id.
    assert "- covered: Key point number 1 — you said:" in run_md.read_text(encoding="utf-8")
    data = assert_safe_json(run_json, *WORDS)
    assert_exact_record(data)

    session = data["session_id"]
    replay_md, replay_json = tmp_path / "replay.md", tmp_path / "replay.json"
    for out in (replay_md, replay_json):
        assert main(["replay", session, "--headless", "--instant", "--report", str(out)]) == 0
    assert_safe_markdown(replay_md, *WORDS)
    assert assert_safe_json(replay_json, *WORDS) == data


def test_resume_report_and_tui_export_are_safe(
    home: Path, tmp_path: Path, model: ScriptedProvider
) -> None:
    first = answers_file(tmp_path / "a1.jsonl", ANSWER_1)
    assert main(["run", *START, "--answers", str(first)]) == ExitCode.UNFINISHED
    [journal] = (home / "data" / "sessions").glob("*.jsonl")
    second = answers_file(tmp_path / "a2.jsonl", ANSWER_2)
    resume_md, resume_json = tmp_path / "resume.md", tmp_path / "resume.json"
    resume = ["resume", journal.stem, "--answers", str(second), "--report", str(resume_md)]
    assert main(resume) == 0
    assert_safe_markdown(resume_md, *WORDS)
    assert main(["replay", journal.stem, "--instant", "--report", str(resume_json)]) == 0
    data = assert_safe_json(resume_json, *WORDS)
    assert_exact_record(data)

    # The TUI's export (keys m / j on the report screen) writes through the same function.
    report = Report.model_validate(data)
    exported_md = export_report(report, "md")
    exported_json = export_report(report, "json")
    assert exported_md.parent == paths.reports_dir()
    assert exported_md.read_text(encoding="utf-8") == resume_md.read_text(encoding="utf-8")
    assert assert_safe_json(exported_json, *WORDS) == data


def plain_report(*answers: str) -> Report:
    """A report with one ungraded question per answer."""
    return Report.model_validate(
        {
            "session_id": "s1",
            "bank_id": "b",
            "mode": "interview",
            "interviewer": "fake",
            "grader": "fake",
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": None,
            "finished": False,
            "questions": [
                {
                    "question_id": f"q{n}",
                    "question": f"Question {n}?",
                    "difficulty": "easy",
                    "exchanges": [
                        {"kind": "question", "prompt": f"Question {n}?", "answer": answer}
                    ],
                    "probes": [],
                    "evaluation": None,
                    "duration_s": 1.0,
                    "usage": {},
                }
                for n, answer in enumerate(answers, 1)
            ],
            "overall_score": None,
            "usage": {},
        }
    )


def test_an_unterminated_sequence_in_one_answer_does_not_swallow_the_rest() -> None:
    markdown = to_markdown(plain_report("cut \x1b]0;never ends", "still here"))
    assert "\x1b" not in markdown and "never ends" not in markdown
    assert "> cut " in markdown
    assert "## 2. Question 2?" in markdown and "> still here" in markdown


def test_json_keeps_a_lone_surrogate_from_an_old_journal_as_an_escape(home: Path) -> None:
    # json.loads of a journal line turns "\\ud800" into a lone surrogate, which UTF-8 cannot
    # encode: the report escapes it instead of failing to write.
    report = plain_report("half \ud800 pair")
    text = report.to_json()
    assert "half \\ud800 pair" in text
    assert json.loads(text)["questions"][0]["exchanges"][0]["answer"] == "half \ud800 pair"
    path = export_report(report, "json")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)
