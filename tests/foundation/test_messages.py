"""Translatable messages (shuangsuiji.messages): English as ``str``, translated on request;
and every ``msg()`` call in the tree is well formed, so no raise site fails while raising."""

from __future__ import annotations

import ast
import configparser
import copy
import json
import pickle
import re
from pathlib import Path

from babel.messages.pofile import read_po

from shuangsuiji.errors import UserError
from shuangsuiji.messages import Message, either, msg, reason, translated

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "platform/shuangsuiji/translations/zh_Hans_CN/LC_MESSAGES/messages.po"

ZH = {
    "no user %(username)r": "用户 %(username)r 不存在",
    "task %(task)s": "抽查任务 %(task)s",
    "%(message)s (%(cite)s)": "%(message)s（依据：%(cite)s）",
    "%(items)s or %(last)s": "%(items)s或%(last)s",
}


def chinese(template: str) -> str:
    return ZH.get(template, template)


def test_a_message_is_its_english_text() -> None:
    m = msg("no user %(username)r", username="bob")
    assert isinstance(m, str) and m == "no user 'bob'"
    assert "bob" in m and f"{m}!" == "no user 'bob'!"
    assert json.dumps({"message": m}) == '{"message": "no user \'bob\'"}'
    assert str(UserError(m, where=msg("task %(task)s", task="T-1"))) == "task T-1: no user 'bob'"


def test_a_message_is_translated_late_with_its_parameters() -> None:
    nested = msg("%(message)s (%(cite)s)", message=msg("no user %(username)r", username="bob"),
                 cite="miit 2018 第九条")
    assert nested == "no user 'bob' (miit 2018 第九条)"
    assert nested.render(chinese) == "用户 'bob' 不存在（依据：miit 2018 第九条）"
    assert translated(nested, chinese) == nested.render(chinese)
    assert translated("plain text", chinese) == "plain text"
    assert translated(None, chinese) is None


def test_lists_are_joined_and_alternatives_read_as_or() -> None:
    listed = msg("task %(task)s", task=("T-1", msg("task %(task)s", task="T-2")))
    assert listed == "task T-1, task T-2"
    assert listed.render(chinese) == "抽查任务 T-1, 抽查任务 T-2"
    assert either(["执法证号", "工作证号"]) == "执法证号 or 工作证号"
    assert either(["a", "b", "c"]).render(chinese) == "a, b或c"  # type: ignore[attr-defined]
    assert either(["only"]) == "only"


def test_a_template_without_parameters_is_not_formatted() -> None:
    assert msg("a ratio is per mille, 1–1000 (100 = 10 %)") == (
        "a ratio is per mille, 1–1000 (100 = 10 %)")
    assert msg("%(word)r is outside 0–100%%", word="120%") == "'120%' is outside 0–100%"


def test_a_broken_translation_shows_the_english() -> None:
    m = msg("no user %(username)r", username="bob")
    assert m.render(lambda template: "用户 %(name)s 不存在") == "no user 'bob'"


def test_an_exception_keeps_its_message() -> None:
    exc = ValueError(msg("task %(task)s", task="T-1"))
    assert isinstance(reason(exc), Message) and reason(exc) == str(exc) == "task T-1"
    assert reason(ValueError("plain")) == "plain"


def test_a_message_survives_pickle_and_copy() -> None:
    m = msg("%(message)s (%(cite)s)", message=msg("task %(task)s", task="T-1"), cite="c")
    for again in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert isinstance(again, Message) and again == m
        assert again.render(chinese) == "抽查任务 T-1（依据：c）"


# --- every msg() call in the tree ---------------------------------------------------------


def _msg_sources() -> list[Path]:
    """The Python files babel.cfg sends to extraction."""
    config = configparser.ConfigParser()
    config.read(ROOT / "babel.cfg", encoding="utf-8")
    files: set[Path] = set()
    for section in config.sections():
        method, _, pattern = section.partition(":")
        if method.strip() == "python":
            files.update(ROOT.glob(pattern.strip().replace("**.py", "**/*.py")))
    return sorted(files)


def _msg_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in _msg_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "msg":
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return calls


def test_every_msg_call_has_a_literal_template_whose_placeholders_it_fills() -> None:
    """A placeholder without its parameter would raise KeyError at the raise site (a 500
    instead of the message); a template that is not a literal is never extracted."""
    calls = _msg_calls()
    assert len(calls) > 150  # the scan found the services
    bad = []
    for where, call in calls:
        template = call.args[0] if call.args else None
        if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
            bad.append(f"{where}: the template is not a string literal")
            continue
        wanted = set(re.findall(r"%\((\w+)\)", template.value))
        if any(k.arg is None for k in call.keywords):  # **kwargs: cannot be checked here
            continue
        given = {k.arg for k in call.keywords if k.arg is not None}
        if wanted != given:
            bad.append(f"{where}: placeholders {sorted(wanted)}, parameters {sorted(given)}")
    assert bad == []


def test_every_template_is_translated_with_the_same_placeholders() -> None:
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    templates = {call.args[0].value for _, call in _msg_calls()}  # type: ignore[attr-defined]
    translated_ids = {m.id: m.string for m in catalogue if m.id and m.string}
    assert sorted(t for t in templates if t not in translated_ids) == []
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert problems == []


def test_the_catalogue_translates_a_service_message() -> None:
    with CATALOGUE.open("rb") as f:
        strings = {str(m.id): str(m.string) for m in read_po(f) if m.id}
    problem = msg("duplicate in the file: row %(first)d has the same %(heading)s", first=2,
                  heading="统一社会信用代码")
    assert problem.render(lambda t: strings.get(t) or t) == (
        "文件内重复：第 2 行的统一社会信用代码与此相同")
