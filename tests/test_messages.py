"""Every user-facing message goes through gettext and the English catalog stays complete: no
untranslated or fuzzy entry, no string in the code missing from it, and no bare Japanese literal
handed straight to a ValidationError, a flash message or a form error. No database, either role."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "common", "permissions", "sync", "nodes", "emergency", "hub", "deploy")
CATALOG = Path("config/locale/en/LC_MESSAGES/django.po")
# As `make catalog` runs it: from the root, so every app's strings land in config/locale (LOCALE_PATHS).
MAKEMESSAGES = ["makemessages", "-l", "en", "--settings=config.settings", "--ignore=.venv", "--ignore=tests",
                "--ignore=var", "--ignore=test-artifacts", "--ignore=*.egg-info", "--ignore=build",
                "--ignore=staticfiles"]

# --- the catalog --------------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    msgid: str
    msgstr: list[str]
    fuzzy: bool


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a PO string is a C string: the escapes Python's literals share


def po_entries(text: str) -> list[Entry]:
    """The live entries of a PO file (obsolete `#~` ones left out), header included."""
    entries, block = [], []
    for number, line in enumerate([*text.splitlines(), ""], 1):
        if line.strip():
            block.append((number, line))
        elif block:
            entries.append(_entry(block))
            block = []
    return [entry for entry in entries if entry is not None]


def _entry(block: list[tuple[int, str]]) -> Entry | None:
    fields: dict[str, str] = {}
    current, fuzzy = None, False
    for _number, line in block:
        if line.startswith("#~"):
            return None
        if line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += _unquote(line)
        else:
            current, value = line.split(" ", 1)
            fields[current] = _unquote(value)
    msgstr = [value for key, value in fields.items() if key == "msgstr" or key.startswith("msgstr[")]
    return Entry(block[0][0], fields["msgid"], msgstr, fuzzy)


def catalog_problems(text: str) -> list[str]:
    problems = []
    for entry in po_entries(text):
        if entry.fuzzy:
            problems.append(f"line {entry.line}: fuzzy: {entry.msgid!r}")
        elif entry.msgid and not all(entry.msgstr):
            problems.append(f"line {entry.line}: untranslated: {entry.msgid!r}")
    return problems


def test_the_english_catalog_has_no_untranslated_or_fuzzy_entry():
    text = (ROOT / CATALOG).read_text(encoding="utf-8")
    assert len(po_entries(text)) > 1000  # the parser read the catalog, not nothing
    assert catalog_problems(text) == []


def test_the_catalog_check_catches_an_untranslated_a_fuzzy_and_an_empty_plural_entry():
    text = '''msgid ""
msgstr ""
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "保存しました。"
msgstr "Saved."

msgid "削除しました。"
msgstr ""

#, fuzzy, python-format
msgid "%(n)s件目"
msgstr "Item %(n)s"

msgid "%(n)s件"
msgid_plural "%(n)s件"
msgstr[0] "%(n)s result"
msgstr[1] ""

msgid ""
"二行に"
"わたる"
msgstr ""
"On two "
"lines"

#~ msgid "古い"
#~ msgstr ""
'''
    assert catalog_problems(text) == [
        "line 8: untranslated: '削除しました。'",
        "line 11: fuzzy: '%(n)s件目'",
        "line 15: untranslated: '%(n)s件'",
    ]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make install needs it too)")
def test_every_string_marked_for_translation_is_in_the_catalog(tmp_path):
    """makemessages over a copy of the tree adds nothing: a new gettext("…") would come back untranslated."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "KYODO_ROLE": "node", "SECRET_KEY": "build",
           "ALLOWED_HOSTS": "localhost", "DJANGO_SETTINGS_MODULE": "config.settings"}
    before = (ROOT / CATALOG).read_bytes()
    result = subprocess.run([sys.executable, "-m", "django", *MAKEMESSAGES], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (ROOT / CATALOG).read_bytes() == before  # the copy was updated, not the tree
    assert catalog_problems((tmp_path / CATALOG).read_text(encoding="utf-8")) == []


# --- bare Japanese messages in the code ---------------------------------------------------------------

JAPANESE = re.compile("[\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
TRANSLATING = {"gettext", "_", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
               "npgettext", "npgettext_lazy", "gettext_noop"}
# Calls whose message reaches a person: the position and keyword of the message argument. The last
# four are this project's own ways to a ValidationError, an API error and a CSV import error.
SINKS = {"ValidationError": (0, "message"), "PermissionDenied": (0, None), "ErrorDetail": (0, "string"),
         "add_error": (1, "error"), "refusal": (1, "message"), "_refuse": (1, "message"),
         "error_response": (1, "message"), "RowError": (3, "message")}
FLASHES = {"success", "error", "warning", "info", "debug"}


@dataclass(frozen=True)
class Bare:
    path: str
    line: int
    call: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}(…) gets a bare Japanese string: {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _message_arguments(call: ast.Call) -> list[ast.expr]:
    """The argument(s) of `call` that carry its message, if it is a call that shows one."""
    func, name = call.func, _name(call.func)

    def argument(position: int, keyword: str | None) -> list[ast.expr]:
        found = [call.args[position]] if len(call.args) > position else []
        return found + [k.value for k in call.keywords if keyword and k.arg == keyword]

    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "messages":
        if name in FLASHES:
            return argument(1, "message")
        if name == "add_message":
            return argument(2, "message")
    return argument(*SINKS[name]) if name in SINKS else []


def _bare_japanese(node: ast.expr) -> str | None:
    """The Japanese literal this message expression shows untranslated, if any. A gettext call is
    translated whatever it holds; a name or another call cannot be judged here and passes."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) and JAPANESE.search(node.value) else None
    if isinstance(node, ast.JoinedStr):  # an f-string formats before anything could translate it
        return next((part.value for part in node.values
                     if isinstance(part, ast.Constant) and JAPANESE.search(part.value)), None)
    if isinstance(node, ast.BinOp):  # "…" + x, "…%s" % x, gettext("…") % {...}
        return _bare_japanese(node.left) or _bare_japanese(node.right)
    if isinstance(node, ast.IfExp):
        return _bare_japanese(node.body) or _bare_japanese(node.orelse)
    if isinstance(node, ast.Dict):  # ValidationError({"field": "…"})
        return next(filter(None, map(_bare_japanese, node.values)), None)
    if isinstance(node, ast.List | ast.Tuple):
        return next(filter(None, map(_bare_japanese, node.elts)), None)
    return None


def bare_messages(source: str, path: str = "<string>") -> list[Bare]:
    found = []
    for node in ast.walk(ast.parse(source, path)):
        if not isinstance(node, ast.Call) or _name(node.func) in TRANSLATING:
            continue
        for argument in _message_arguments(node):
            text = _bare_japanese(argument)
            if text is not None:
                found.append(Bare(path, argument.lineno, _name(node.func), text))
    return sorted(found, key=lambda bare: bare.line)


def test_no_bare_japanese_message_in_the_production_packages():
    found = [
        str(bare)
        for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
        for bare in bare_messages(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


PLANTED = '''
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, gettext as _, gettext_lazy, ngettext
from rest_framework import serializers


def bad(request, form, index, given):
    ValidationError("このセンターの組織ではありません。", code="other_center")  # bare
    raise ValidationError({"kind": ValidationError("団体の種別を選んでください。", code="invalid_choice")})  # bare
    ValidationError(f"{index + 1}件目: 組織を指定してください。", code="required")  # bare
    messages.success(request, "共有レベルを記録しました。")  # bare
    messages.warning(request, "送信は保留しています: " + " ".join(form.reasons))  # bare
    messages.error(request, message="見送りの理由を選んでください。")  # bare
    messages.add_message(request, messages.INFO, "保存しました。")  # bare
    form.add_error(None, f"一度に集計できるのは{index}年度までです。")  # bare
    form.add_error("name", error="団体名は必須です。")  # bare
    raise PermissionDenied("この操作を行う権限がありません")  # bare
    serializers.ValidationError({"center": "センターを指定してください。"})  # bare
    messages.success(request, gettext("同意を記録しました。") if given else "同意の撤回を記録しました。")  # bare
    ValidationError("%s件目" % index)  # bare
    ValidationError(["一つ目", gettext("二つ目")])  # bare
    raise _refuse("note", f"補足は{index}字以内にしてください。", "max_length")  # bare
    RowError(index, "", "empty", message="データ行がありません。")  # bare


def good(request, form, error, index, labels):
    ValidationError(gettext("このセンターの組織ではありません。"), code="other_center")
    ValidationError({"kind": ValidationError(_("団体の種別を選んでください。"), code="invalid_choice")})
    ValidationError(gettext("%(number)s件目: 組織を指定してください。") % {"number": index + 1}, code="required")
    ValidationError(gettext_lazy("委託には法人格が必要です。"))
    messages.success(request, ngettext("%(n)s件", "%(n)s件", index) % {"n": index})
    messages.success(request, gettext("「%(title)s」を見送りました。") % {"title": "・".join(labels)})
    messages.error(request, " ".join(error.messages))           # already translated where it was raised
    form.add_error(None, error)
    ValidationError("keys")                                      # a developer's message: English, not shown
    raise PermissionDenied("permission_denied")                  # a machine-readable code
    ValidationError(gettext("…"), code="other_center", params={"label": "団体"})  # only the message counts
    print("日本語")                                               # not a message sink
    form.fields["name"].label = "団体名"
    gettext("保存しました。")
    raise _refuse("note", gettext("補足は%(limit)s字以内にしてください。") % {"limit": index}, "max_length")
    RowError(index, "名称", "invalid_value", message)            # the column is a CSV heading, not a message
'''


def test_the_message_check_catches_each_planted_bare_message_and_nothing_else():
    found = bare_messages(PLANTED)
    planted = [number for number, line in enumerate(PLANTED.splitlines(), 1) if line.endswith("# bare")]
    assert len(planted) == 16
    assert [bare.line for bare in found] == planted
    assert [bare.call for bare in found] == [
        "ValidationError", "ValidationError", "ValidationError", "success", "warning", "error", "add_message",
        "add_error", "add_error", "PermissionDenied", "ValidationError", "success", "ValidationError",
        "ValidationError", "_refuse", "RowError",
    ]
    assert found[11].text == "同意の撤回を記録しました。"
