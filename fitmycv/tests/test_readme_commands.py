"""The README's operator-command table says what the commands accept, no more, no less."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ROW = re.compile(r"^\| `manage\.py (\w+)([^`]*)` \|", re.M)
# `--opt`, `--opt VALUE`, `--opt a|b|c`, each optionally inside [ ].
OPTION = re.compile(r"(\[)?(--[\w-]+)(?: ([^\s\[\]]+))?")


@dataclass(frozen=True)
class Documented:
    optional: bool
    choices: frozenset[str] | None


def readme_rows() -> dict[str, dict[str, Documented]]:
    section = README.read_text(encoding="utf-8").split("## Operator commands", 1)[1]
    section = section.split("\n## ", 1)[0].replace("\\|", "|")
    rows: dict[str, dict[str, Documented]] = {}
    for name, synopsis in ROW.findall(section):
        rows[name] = {
            option: Documented(
                optional=bool(bracket),
                choices=frozenset(value.split("|")) if "|" in value else None,
            )
            for bracket, option, value in OPTION.findall(synopsis)
        }
    return rows


def our_commands() -> list[str]:
    """The commands this project defines (Django's and libraries' are documented elsewhere)."""
    ours = {path.parents[1].name for path in ROOT.glob("*/management/commands")}
    return sorted(name for name, app in get_commands().items() if app.split(".")[0] in ours)


def own_options(name: str) -> dict[str, argparse.Action]:
    """The options a command adds to the ones every command has (--verbosity, --settings…)."""
    command = load_command_class(get_commands()[name], name)
    common = {
        flag
        for action in BaseCommand().create_parser("manage.py", "x")._actions
        for flag in action.option_strings
    }
    return {
        action.option_strings[-1]: action
        for action in command.create_parser("manage.py", name)._actions
        if action.option_strings
        and not set(action.option_strings) & common
        and action.help != argparse.SUPPRESS
    }


def test_the_table_has_a_row_for_every_command():
    documented = readme_rows()
    assert our_commands(), "no project commands found"
    assert [name for name in our_commands() if name not in documented] == []


@pytest.mark.parametrize("name", our_commands())
def test_a_row_lists_the_options_of_its_command(name):
    documented = readme_rows().get(name, {})
    options = own_options(name)
    assert sorted(documented) == sorted(options)
    for flag, action in options.items():
        assert documented[flag].optional == (not action.required), flag
        if action.choices is not None and documented[flag].choices is not None:
            assert documented[flag].choices == set(action.choices), flag
        if action.choices is not None and action.nargs != 0:
            assert documented[flag].choices is not None, f"{flag}: list its choices"
