from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.config import Settings, load_settings
from lakehouse.errors import ConfigError


def test_defaults_when_nothing_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({}, environ={})
    assert settings.backend == "local"
    assert settings.home == Path(".lakehouse")
    assert settings.database == "vancouver_311"
    assert settings.bucket("raw") == "raw"


def test_flags_beat_environment_beat_file(tmp_path: Path) -> None:
    config = tmp_path / "lakehouse.toml"
    config.write_text('home = "/from-file"\nbucket_prefix = "file-"\ndatabase = "from_file"\n[aws]\nregion = "eu-west-1"\n')
    environ = {"LAKEHOUSE_HOME": "/from-env", "LAKEHOUSE_BUCKET_PREFIX": "env-"}
    settings = load_settings({"home": "/from-flag"}, environ=environ, config_path=config)
    assert settings.home == Path("/from-flag")  # flag > env > file
    assert settings.bucket_prefix == "env-"  # env > file
    assert settings.database == "from_file"  # file > default
    assert settings.region == "eu-west-1"
    assert settings.bucket("curated") == "env-curated"
    assert settings.sources["home"] == "--home"
    assert settings.sources["bucket_prefix"] == "LAKEHOUSE_BUCKET_PREFIX"


def test_standard_aws_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    environ = {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000/",
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_REGION": "ca-central-1",
        "AWS_PROFILE": "city-team",
    }
    settings = load_settings({}, environ=environ)
    assert settings.s3_endpoint == "http://127.0.0.1:9000"  # S3-specific wins, slash trimmed
    assert settings.endpoint_url == "http://127.0.0.1:4566"
    assert settings.region == "ca-central-1"  # AWS_REGION wins over AWS_DEFAULT_REGION
    assert settings.profile == "city-team"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LAKEHOUSE_BACKEND": "gcp"}, "LAKEHOUSE_BACKEND: backend must be one of local, emulator, aws"),
        ({"LAKEHOUSE_BUCKET_PREFIX": "Bad_Prefix"}, "LAKEHOUSE_BUCKET_PREFIX: bucket_prefix"),
        ({"LAKEHOUSE_DATABASE": "drop table;"}, "LAKEHOUSE_DATABASE: database"),
        ({"AWS_ENDPOINT_URL": "ftp://example"}, "AWS_ENDPOINT_URL: endpoint_url"),
        ({"AWS_ENDPOINT_URL": "http://user:secret@host"}, "AWS_ENDPOINT_URL: endpoint_url"),
        ({"AWS_REGION": "nowhere"}, "AWS_REGION: region"),
    ],
)
def test_bad_values_name_the_setting_and_its_source(
    environ: dict[str, str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as error:
        load_settings({}, environ=environ)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_unknown_key_in_file_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "lakehouse.toml"
    config.write_text('backnd = "local"\n')
    with pytest.raises(ConfigError, match="unknown setting 'backnd'"):
        load_settings({}, environ={}, config_path=config)


def test_invalid_toml_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "lakehouse.toml"
    config.write_text("home = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({}, environ={}, config_path=config)


def test_lakehouse_toml_in_working_directory_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lakehouse.toml").write_text('backend = "emulator"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings({}, environ={}).backend == "emulator"


def test_settings_are_immutable() -> None:
    with pytest.raises(AttributeError):
        Settings().backend = "aws"  # type: ignore[misc]
