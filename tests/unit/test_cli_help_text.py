"""Every help text of the command line is shown as written.

``--help`` renders help with rich markup, where ``[default: settings]`` is a tag: it vanished
and left "Bind address ." behind. Each command's and option's help must survive rendering.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
import typer.core
from rich.text import Text

from api.cli.main import app

Command = typer.core.TyperCommand | typer.core.TyperGroup  # the two kinds typer builds


def _commands(command: Command, path: str) -> Iterator[tuple[str, Command]]:
    yield path, command
    if isinstance(command, typer.core.TyperGroup):
        for name, sub in command.commands.items():
            assert isinstance(sub, Command)
            yield from _commands(sub, f"{path} {name}")


def _help_texts() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    top = typer.main.get_command(app)
    assert isinstance(top, typer.core.TyperGroup)
    for path, command in _commands(top, "addresshub"):
        texts.append((path, command.help or ""))
        for param in command.params:
            texts.append((f"{path} {param.name}", getattr(param, "help", None) or ""))
    return texts


HELP_TEXTS = _help_texts()


def test_the_walk_reaches_nested_commands_and_options() -> None:
    names = {name for name, _ in HELP_TEXTS}
    assert {"addresshub serve host", "addresshub deliveries resend actor"} <= names


@pytest.mark.parametrize(("where", "text"), HELP_TEXTS, ids=[n for n, _ in HELP_TEXTS])
def test_help_renders_as_written(where: str, text: str) -> None:
    assert Text.from_markup(text).plain == text, where
