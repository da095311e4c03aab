"""The command line contract: JSON or human output; one line on stderr and an exit code."""

from __future__ import annotations

import datetime as dt
import getpass
import json

import pytest
import typer
from pydantic import BaseModel

from api.cli import common
from core import settings
from core.errors import Conflict, StorageError
from gazetteer.errors import InvalidUprn


class Doc(BaseModel):
    name: str
    count: int


def _cli() -> common.Cli:
    cli = common.Cli(pretty_exceptions_enable=False, add_completion=False)

    @cli.command()
    def fail_with(kind: str) -> None:
        match kind:
            case "uprn":
                raise InvalidUprn("UPRN must be between 1 and 999999999999,\nnot 0")
            case "storage":
                raise StorageError("the database is not reachable")
            case "conflict":
                raise Conflict("already there")
            case "exit":
                raise typer.Exit(4)
            case "bug":
                raise KeyError("surprise")

    @cli.command()
    def other() -> None:
        pass

    return cli


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        _cli()(args=args, prog_name="addresshub")
    code = caught.value.code
    assert isinstance(code, int)
    return code


@pytest.mark.parametrize(
    ("kind", "code", "text"),
    [
        ("uprn", 2, "UPRN must be between 1 and 999999999999, not 0 [invalid_uprn]"),
        ("storage", 8, "the database is not reachable [storage_error]"),
        ("conflict", 4, "already there [conflict]"),
        ("bug", 1, "unexpected KeyError: 'surprise'"),
    ],
)
def test_errors_end_as_one_line_and_their_exit_code(
    capsys: pytest.CaptureFixture[str], kind: str, code: int, text: str
) -> None:
    assert _run(["fail-with", kind]) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"addresshub: error: {text}\n"


def test_explicit_exits_and_success_keep_their_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["fail-with", "exit"]) == 4
    assert _run(["other"]) == 0
    assert capsys.readouterr().err == ""


def test_usage_errors_are_one_line_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["fail-with"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("addresshub: error: Missing argument")
    assert _run(["no-such-command"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_emit_prints_json_or_text(capsys: pytest.CaptureFixture[str]) -> None:
    common.emit("Loaded [bold]3[/bold] rows", Doc(name="x", count=3), as_json=True)
    assert json.loads(capsys.readouterr().out) == {"name": "x", "count": 3}
    common.emit("Loaded [bold]3[/bold] rows", {"count": 3}, as_json=False)
    # Human text is printed as it is: no markup is interpreted.
    assert capsys.readouterr().out == "Loaded [bold]3[/bold] rows\n"


def test_settings_for_overrides_only_the_database_url() -> None:
    assert common.settings_for("sqlite:///x.db").database_url == "sqlite:///x.db"
    assert common.settings_for(None).database_url == settings.get_settings().database_url


def test_the_actor_given_is_recorded_else_the_login_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "clerk")
    assert common.actor_or_login("custodian-7") == "custodian-7"
    assert common.actor_or_login(None) == "clerk"
    assert common.actor_or_login("") == "clerk"


def test_commands_act_at_an_aware_utc_time() -> None:
    assert common.now().utcoffset() == dt.timedelta(0)
