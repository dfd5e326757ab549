"""The fixture format: write, read back, fingerprints, and errors that name the file and line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from interviewer.domain import Exchange, GraderOutput, KeyPointVerdict, Usage, Verdict
from interviewer.errors import FixtureError
from interviewer.providers.base import GradeRequest, ProbeRequest
from interviewer.providers.fixture_io import load_directory, load_fixture, write_fixture
from interviewer.providers.fixtures import Chunk, Fixture, canonicalise, fingerprint
from interviewer.providers.record import redact, secret_env_values
from tests.fakes import make_question

QUESTION = make_question("prompt-injection")
ANSWER = "I would separate instructions from data and authorise every tool call the model makes."


def probe_request(answer: str = ANSWER, number: int = 1) -> ProbeRequest:
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=answer),)
    return ProbeRequest(
        question=QUESTION, exchanges=exchanges, target_key_point_ids=("kp2",), probe_number=number
    )


def grade_request(answer: str = ANSWER) -> GradeRequest:
    exchanges = (Exchange(kind="question", prompt=QUESTION.text, answer=answer),)
    return GradeRequest(question=QUESTION, exchanges=exchanges)


def probe_fixture(answer: str = ANSWER, text: str = "Which calls?") -> Fixture:
    return Fixture(
        id="",
        source="",
        kind="openai",
        model="gpt-4o-mini",
        role="interviewer",
        request=canonicalise(probe_request(answer)),
        chunks=(Chunk(120, text[:5]), Chunk(180, text[5:])),
        stop="end",
        done_ms=200,
        usage=Usage(input_tokens=300, output_tokens=5, calls=1),
        text=text,
    )


def grade_fixture() -> Fixture:
    output = GraderOutput(
        verdicts=(KeyPointVerdict(key_point_id="kp1", verdict=Verdict.COVERED, evidence="data"),),
        strengths=("clear",),
        feedback="Good start.",
    )
    return Fixture(
        id="",
        source="",
        kind="anthropic",
        model="claude-haiku-4-5",
        role="grader",
        request=canonicalise(grade_request()),
        chunks=(Chunk(300, "Good start."),),
        stop="interrupted",
        done_ms=310,
        usage=Usage(input_tokens=900, output_tokens=80, cached_tokens=600, calls=1),
        output=output,
    )


def test_canonical_messages_are_deterministic_and_fenced_with_the_fixed_marker() -> None:
    first, second = canonicalise(probe_request()), canonicalise(probe_request())
    assert first == second
    assert first.request_hash == second.request_hash
    assert [m.role for m in first.messages] == ["system", "user"]
    assert ANSWER not in first.messages[0].content
    assert "FENCE0" in first.messages[1].content
    assert canonicalise(probe_request(ANSWER + " Also logging.")).request_hash != first.request_hash
    assert canonicalise(probe_request(number=2)).request_hash != first.request_hash


def test_fingerprint_covers_kind_model_and_role() -> None:
    digest = canonicalise(probe_request()).request_hash
    base = fingerprint("openai", "gpt-4o-mini", "interviewer", digest)
    assert base.startswith("sha256:")
    assert fingerprint("anthropic", "gpt-4o-mini", "interviewer", digest) != base
    assert fingerprint("openai", "gpt-4o", "interviewer", digest) != base
    assert fingerprint("openai", "gpt-4o-mini", "grader", digest) != base


def test_probe_and_grade_fixtures_round_trip(tmp_path: Path) -> None:
    probe_path = write_fixture(tmp_path, probe_fixture())
    grade_path = write_fixture(tmp_path, grade_fixture())
    assert probe_path.name == "0001-probe-prompt-injection-1.jsonl"
    assert grade_path.name == "0002-grade-prompt-injection.jsonl"
    probe, grade = load_directory(tmp_path)
    assert probe.id == "0001-probe-prompt-injection-1"
    assert probe.request == probe_fixture().request
    assert probe.chunks == probe_fixture().chunks
    assert (probe.text, probe.stop, probe.done_ms) == ("Which calls?", "end", 200)
    assert probe.usage == probe_fixture().usage
    assert probe.fingerprint == fingerprint(
        "openai", "gpt-4o-mini", "interviewer", probe.request.request_hash
    )
    assert grade.output == grade_fixture().output
    assert (grade.stop, grade.role, grade.usage.cached_tokens) == ("interrupted", "grader", 600)


def test_files_are_private_sorted_json_lines(tmp_path: Path) -> None:
    path = write_fixture(tmp_path, probe_fixture())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["type"] for r in records] == [
        "exchange",
        "message",
        "message",
        "chunk",
        "chunk",
        "done",
    ]
    for line, record in zip(lines, records, strict=True):
        assert line == json.dumps(record, sort_keys=True, ensure_ascii=False)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_numbering_continues_after_existing_files(tmp_path: Path) -> None:
    (tmp_path / "0041-probe-x-1.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    assert write_fixture(tmp_path, probe_fixture()).name.startswith("0042-")


def test_other_files_in_the_folder_are_ignored(tmp_path: Path) -> None:
    write_fixture(tmp_path, probe_fixture())
    (tmp_path / "answers.jsonl").write_text('{"text": "hi"}\n', encoding="utf-8")
    (tmp_path / "README.md").write_text("# notes\n", encoding="utf-8")
    assert [f.id for f in load_directory(tmp_path)] == ["0001-probe-prompt-injection-1"]


def test_an_empty_or_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="no fixture files"):
        load_directory(tmp_path)
    with pytest.raises(FixtureError, match="fixture folder not found"):
        load_directory(tmp_path / "nope")


def _broken(tmp_path: Path, edit: int, replacement: str | None) -> Path:
    """Write a good fixture, then replace (or drop, with None) the line at index `edit`."""
    path = write_fixture(tmp_path, probe_fixture())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if replacement is None:
        del lines[edit:]
    else:
        lines[edit] = replacement
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_truncated_file_names_the_file_and_last_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, 5, None)
    with pytest.raises(FixtureError) as caught:
        load_fixture(path)
    assert str(caught.value).startswith(f"{path}:5: truncated fixture")


def test_line_cut_mid_write_names_the_file_and_line(tmp_path: Path) -> None:
    path = write_fixture(tmp_path, probe_fixture())
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 40], encoding="utf-8")
    with pytest.raises(FixtureError, match=rf"^{path}:6: not valid JSON \(truncated\?\)"):
        load_fixture(path)


def test_corrupt_json_names_the_file_and_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, 3, '{"type": "chunk", "ms": 12, \n')
    with pytest.raises(FixtureError, match=rf"^{path}:4: not valid JSON"):
        load_fixture(path)


@pytest.mark.parametrize(
    ("index", "line", "message"),
    [
        (
            3,
            '{"type": "chunk", "ms": -1, "text": "x"}\n',
            r":4: chunk\.ms: Input should be greater",
        ),
        (3, '{"type": "chunk", "ms": 1, "txt": "x"}\n', r":4: chunk\.text: Field required"),
        (3, '{"type": "noise"}\n', r":4: type: unknown record type"),
        (4, '{"type": "chunk", "ms": 1, "text": "x"}\n', r":5: chunk times must not go back"),
        (0, '{"type": "chunk", "ms": 1, "text": "x"}\n', r":1: the first record must be"),
        (1, '{"type": "chunk", "ms": 1, "text": "x"}\n', r":3: messages must come before"),
    ],
)
def test_invalid_records_name_the_line_and_field(
    tmp_path: Path, index: int, line: str, message: str
) -> None:
    path = _broken(tmp_path, index, line)
    with pytest.raises(FixtureError, match=rf"^{path}{message}"):
        load_fixture(path)


def test_records_after_done_are_rejected(tmp_path: Path) -> None:
    path = write_fixture(tmp_path, probe_fixture())
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"type": "chunk", "ms": 900, "text": "x"}\n')
    with pytest.raises(FixtureError, match=rf"^{path}:7: nothing may follow"):
        load_fixture(path)


def test_a_grade_without_output_is_rejected(tmp_path: Path) -> None:
    path = write_fixture(tmp_path, grade_fixture())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    done = json.loads(lines[-1])
    del done["output"]
    lines[-1] = json.dumps(done) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(FixtureError, match=r":5: a grade's \"done\" record needs \"output\""):
        load_fixture(path)


def test_hand_edited_messages_fail_strict_loading_but_load_for_position(tmp_path: Path) -> None:
    path = write_fixture(tmp_path, probe_fixture())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    user = json.loads(lines[2])
    user["content"] = user["content"].replace("authorise", "authorize")
    lines[2] = json.dumps(user, sort_keys=True) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(FixtureError, match=rf"^{path}:1: request_hash does not match"):
        load_fixture(path)
    assert "authorize" in load_fixture(path, verify=False).request.messages[1].content


def test_unsupported_format_version(tmp_path: Path) -> None:
    path = write_fixture(tmp_path, probe_fixture())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["format"] = 99
    lines[0] = json.dumps(header) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(FixtureError, match=r":1: fixture format 99 is not supported"):
        load_fixture(path)


@pytest.mark.parametrize(
    "secret",
    [
        "sk-proj-Abc123def456ghi789jkl012mno345",
        "sk-ant-api03-AbCdEf0123456789xyzXYZ_-abc",
        "Bearer eyJhbGciOiJIUzI1NiJ9.abc123456789",
        "org-AbCdEfGh1234567890IjKl",
    ],
)
def test_key_like_text_is_redacted_and_still_matches(tmp_path: Path, secret: str) -> None:
    answer = f"my key is {secret} ok, {ANSWER}"
    path = write_fixture(
        tmp_path, probe_fixture(answer=answer, text=f"Why {secret}?"), clean=redact
    )
    text = path.read_text(encoding="utf-8")
    assert secret not in text
    assert text.count("[REDACTED]") == 2
    assert json.loads(text.splitlines()[0])["redacted"] is True
    loaded = load_fixture(path)
    assert loaded.request_hash == canonicalise(probe_request(answer)).request_hash
    assert "[REDACTED] ok" in loaded.request.messages[1].content


def test_the_exact_value_of_a_secret_is_redacted(tmp_path: Path) -> None:
    value = "hunter2-but-longer"
    secrets = secret_env_values({"DB_PASSWORD": value, "PATH": "/usr/local/bin:/usr/bin"})
    assert secrets == [value]
    fixture = probe_fixture(answer=f"password {value}")
    path = write_fixture(tmp_path, fixture, clean=lambda text: redact(text, secrets))
    assert value not in path.read_text(encoding="utf-8")
    assert load_fixture(path).request.messages[1].content.count("[REDACTED]") == 1


def test_fixtures_without_secrets_are_not_marked_redacted(tmp_path: Path) -> None:
    path = write_fixture(tmp_path, probe_fixture(), clean=redact)
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["redacted"] is False


def test_prose_about_keys_is_left_alone() -> None:
    prose = (
        "Rotate API keys, never log the Authorization header or x-api-key, use Bearer tokens "
        "with short lifetimes, and keep the org-wide risk-assessment current."
    )
    assert redact(prose) == prose
