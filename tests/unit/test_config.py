"""Config loading: precedence, discovery and errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.config import load_config
from interviewer.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_run_offline_without_any_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    settings, source = load_config(environ={})
    assert source is None
    assert settings.provider == "offline"
    assert settings.interview.max_probes == 2


def test_precedence_defaults_file_env_cli(tmp_path: Path) -> None:
    path = write(tmp_path, '[interview]\ncount = 4\nmode = "practice"\nmax_probes = 1\n')
    settings, _ = load_config(path, environ={})
    assert (settings.interview.count, settings.interview.mode) == (4, "practice")
    settings, _ = load_config(path, environ={"INTERVIEWER_COUNT": "7"})
    assert settings.interview.count == 7
    assert settings.interview.max_probes == 1
    settings, _ = load_config(
        path, environ={"INTERVIEWER_COUNT": "7"}, overrides={("interview", "count"): 2}
    )
    assert settings.interview.count == 2


def test_file_found_through_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, 'provider = "ollama"\n')
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(path))
    settings, source = load_config()
    assert source == path
    assert settings.profile(settings.provider).base_url == "http://127.0.0.1:11434/v1"


def test_platform_config_file_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[interview]\ncount = 9\n")
    settings, source = load_config(environ={})
    assert settings.interview.count == 9
    assert source == tmp_path / "config" / "config.toml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[interview]\ncuont = 3\n", "interview.cuont: unknown key"),
        ("[interview]\ncount = 0\n", "interview.count: Input should be greater than or equal to 1"),
        (
            '[interview]\nmode = "exam"\n',
            "interview.mode: Input should be 'interview' or 'practice'",
        ),
        ('[providers.mine]\nkind = "openai"\n', "providers.mine: Value error, a provider of kind"),
        ('provider = "nope"\n', "provider: unknown provider 'nope'"),
        ("provider = \n", "not valid TOML"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_environment_error_says_it_came_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="INTERVIEWER_COUNT from the environment"):
        load_config(path, environ={"INTERVIEWER_COUNT": "many"})


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.toml", environ={})


def test_user_profile_extends_builtins(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'provider = "fast"\ngrader_provider = "strong"\n'
        '[providers.fast]\nkind = "openai"\nmodel = "qwen3:0.6b"\nbase_url = "http://127.0.0.1:11434/v1"\n'
        '[providers.strong]\nkind = "anthropic"\nmodel = "claude-sonnet-4-5"\napi_key_env = "MY_KEY"\n',
    )
    settings, _ = load_config(path, environ={})
    assert settings.profile("fast").api_key_env is None
    assert settings.profile("strong").api_key_env == "MY_KEY"
    assert "offline" in settings.profile_names()
    assert settings.grader_profile_name == "strong"


def test_the_probing_profile_grades_unless_a_grader_is_named() -> None:
    from interviewer.config import Settings

    assert Settings(provider="openai").grader_profile_name == "openai"
    assert Settings(provider="openai", grader_provider="judge").grader_profile_name == "judge"


def test_example_config_is_valid_and_documents_every_key() -> None:
    from interviewer.config import InterviewSettings, ProviderProfile, RecordSettings, Settings

    example = Path(__file__).parents[2] / "config.example.toml"
    settings, _ = load_config(example, environ={})
    assert settings.provider == "offline"
    text = example.read_text()
    for model in (Settings, InterviewSettings, ProviderProfile, RecordSettings):
        for key in model.model_fields:
            assert key in text, f"config.example.toml does not mention {model.__name__}.{key}"
