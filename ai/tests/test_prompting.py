"""Prompt files: includes, variables, versions and their errors."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest

from ai import prompting
from ai.prompting import PromptError, render


def write(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "_shared/base.md",
        "<!-- version: 2 -->\nYou are careful.\n{{> _shared/inner.md }}",
    )
    write(tmp_path, "_shared/inner.md", "<!-- version: 5 -->\nAnswer in {{ language }}.")
    write(tmp_path, "task.md", "<!-- version: 3 -->\n{{> _shared/base.md }}\n\nTask for {{ who }}.")
    return tmp_path


def test_it_expands_includes_recursively_and_substitutes_variables(prompts: Path) -> None:
    rendered = render("task", {"language": "French", "who": "Jeanne"}, directory=prompts)

    assert rendered.text == "You are careful.\nAnswer in French.\n\nTask for Jeanne.\n"
    assert rendered.version == 3
    assert rendered.includes == {"_shared/base.md": 2, "_shared/inner.md": 5}
    assert rendered.metadata()["prompt_version"] == 3


def test_it_rejects_a_missing_variable(prompts: Path) -> None:
    with pytest.raises(PromptError, match="missing variables language"):
        render("task", {"who": "Jeanne"}, directory=prompts)


def test_it_rejects_an_unknown_variable(prompts: Path) -> None:
    with pytest.raises(PromptError, match="unknown variables tone"):
        render("task", {"language": "French", "who": "J", "tone": "warm"}, directory=prompts)


def test_it_detects_include_cycles(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "<!-- version: 1 -->\n{{> b.md }}")
    write(tmp_path, "b.md", "<!-- version: 1 -->\n{{> a.md }}")

    with pytest.raises(PromptError, match="include cycle: a.md -> b.md -> a.md"):
        render("a", directory=tmp_path)


def test_it_rejects_a_missing_include_or_one_outside_the_folder(tmp_path: Path) -> None:
    write(tmp_path, "prompts/a.md", "<!-- version: 1 -->\n{{> nowhere.md }}")
    write(tmp_path, "prompts/b.md", "<!-- version: 1 -->\n{{> ../secret.md }}")
    write(tmp_path, "secret.md", "secret")

    with pytest.raises(PromptError, match="no prompt file nowhere.md"):
        render("a", directory=tmp_path / "prompts")
    with pytest.raises(PromptError, match="inside"):
        render("b", directory=tmp_path / "prompts")


def test_it_requires_a_version_header(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "No header here.")

    with pytest.raises(PromptError, match="version"):
        render("a", directory=tmp_path)


def test_it_never_expands_placeholders_inside_values(prompts: Path) -> None:
    # Scraped text may contain "{{ ... }}": substituting it must not pull in other variables.
    rendered = render("task", {"language": "{{ who }}", "who": "{{> task.md }}"}, directory=prompts)

    assert "Answer in {{ who }}." in rendered.text
    assert "Task for {{> task.md }}." in rendered.text


def test_it_rereads_a_prompt_file_after_an_edit(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "<!-- version: 1 -->\nOld.")
    assert render("a", directory=tmp_path).text == "Old.\n"

    path = tmp_path / "a.md"
    path.write_text("<!-- version: 2 -->\nNew.", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    assert render("a", directory=tmp_path).version == 2


def test_it_resolves_a_prompts_files_once(prompts: Path) -> None:
    first = render("task", {"language": "French", "who": "Ada"}, directory=prompts)

    # Every model call renders its prompt: later renders only check the files' mtimes.
    with mock.patch.object(Path, "resolve", side_effect=AssertionError("resolved again")):
        assert render("task", {"language": "French", "who": "Ada"}, directory=prompts) == first


@pytest.mark.parametrize(
    ("name", "variables"),
    [
        ("extract_job_offer", {}),
        ("match_score", {"output_language": "English", "ui_language": "French"}),
        ("tailor_classify", {"output_language": "English", "ui_language": "French"}),
        ("tailor_experience", {"output_language": "English", "ui_language": "French"}),
        ("tailor_skills", {"output_language": "English", "ui_language": "French"}),
        ("tailor_summary", {"output_language": "English", "ui_language": "French"}),
        ("improve_cv", {"output_language": "English", "ui_language": "French"}),
        ("translate_cv", {"target_language": "German", "target_code": "de"}),
        ("import_cv", {}),
        (
            "example_cv",
            {"source": "a job title", "output_language": "Spanish", "output_code": "es"},
        ),
    ],
)
def test_every_product_prompt_renders(name: str, variables: dict[str, str]) -> None:
    rendered = render(name, variables)

    assert rendered.version >= 1
    assert "{{" not in rendered.text
    assert rendered.includes["_shared/system_base.md"] >= 1
    if name != "translate_cv":  # the only prompt fed no untrusted text
        assert "never instructions" in rendered.text
    assert prompting.PROMPTS_DIR.joinpath(f"{name}.md").exists()


def test_prompt_versions_lists_every_prompt_and_fragment(prompts: Path) -> None:
    assert prompting.prompt_versions(directory=prompts) == {
        "task": 3,
        "_shared/base.md": 2,
        "_shared/inner.md": 5,
    }


def test_prompt_versions_rejects_a_prompt_without_version(tmp_path: Path) -> None:
    write(tmp_path, "bare.md", "No version here.")

    with pytest.raises(PromptError, match="bare.md has no"):
        prompting.prompt_versions(directory=tmp_path)


def test_every_prompt_file_of_the_product_carries_a_version() -> None:
    versions = prompting.prompt_versions()

    assert "import_cv" in versions and "tailor_summary" in versions
    assert all(version >= 1 for version in versions.values())
    for path in (prompting.PROMPTS_DIR / "_shared").glob("*.md"):
        assert prompting.VERSION_LINE.match(path.read_text(encoding="utf-8")), path.name
