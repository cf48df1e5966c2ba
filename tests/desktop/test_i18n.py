"""Translations: Chinese by default, English without a translator, and a .ts file that is
complete for the sources and compiled into the committed .qm."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QFontMetrics
from PySide6.QtWidgets import QApplication

from desktop import i18n, labels
from desktop.app import FONT_FAMILIES
from desktop.widgets.order_table import OrderTableModel

ROOT = Path(__file__).resolve().parents[2]
TS = i18n.I18N_DIR / "command_center_zh_CN.ts"
LUPDATE = ROOT / ".venv" / "bin" / "pyside6-lupdate"
LRELEASE = ROOT / ".venv" / "bin" / "pyside6-lrelease"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def tool(path: Path) -> str:
    found = str(path) if path.exists() else shutil.which(path.name)
    if found is None:
        pytest.fail(f"{path.name} not found: install PySide6 into .venv")
    return found


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for context in ET.parse(ts).getroot():
        name = context.findtext("name") or ""
        for message in context.findall("message"):
            out[(name, message.findtext("source") or "")] = message.find("translation")
    return out  # type: ignore[return-value]


def test_the_chinese_translator_translates(qapp: QApplication, zh: None) -> None:
    assert QCoreApplication.translate("Labels", "In progress") == "办理中"
    assert labels.state("registered") == "已受理·待派单"
    assert labels.channel("hotline") == "12345热线"
    assert labels.request_type("complaint") == "投诉"
    assert labels.roles(["duty_officer", "dispatcher"]) == "值班长、值班员"
    model = OrderTableModel(SHANGHAI)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == ["工单编号", "受理时间", "状态"]
    assert headers[-1] == "办结时限"
    # Qt's own strings come in Chinese too (standard buttons).
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_english_installs_no_translator(qapp: QApplication) -> None:
    assert i18n.install(qapp, "en") == []
    assert labels.state("registered") == "Awaiting dispatch"
    model = OrderTableModel(SHANGHAI)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Order no."


def test_an_unknown_code_shows_as_itself(qapp: QApplication, zh: None) -> None:
    assert labels.state("beamed_up") == "beamed_up"


def test_unknown_language_is_refused(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="fr"):
        i18n.install(qapp, "fr")


def test_every_string_is_translated_and_keeps_its_placeholders() -> None:
    found = messages(TS)
    assert len(found) > 80
    for (context, source), translation in found.items():
        where = f"{context}: {source!r}"
        assert translation.get("type") is None, f"unfinished: {where}"
        assert translation.text, f"empty: {where}"
        assert re.findall(r"\{\w+\}", source) == re.findall(r"\{\w+\}", translation.text), where


def test_the_ts_file_has_every_string_of_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copyfile(TS, fresh)
    sources = sorted(str(p) for p in (ROOT / "desktop").rglob("*.py"))
    subprocess.run(
        [tool(LUPDATE), "-silent", "-no-obsolete", "-locations", "none", *sources, "-ts", fresh],
        check=True,
        cwd=ROOT,
    )
    assert messages(fresh).keys() == messages(TS).keys(), "run scripts/build-translations"


def test_the_committed_qm_is_built_from_the_ts(tmp_path: Path) -> None:
    built = tmp_path / "built.qm"
    subprocess.run([tool(LRELEASE), "-silent", TS, "-qm", built], check=True, cwd=ROOT)
    assert built.read_bytes() == i18n.qm_path("zh").read_bytes(), "run scripts/build-translations"


def test_chinese_glyphs_come_from_a_simplified_chinese_font(qapp: QApplication) -> None:
    cjk = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert cjk, "no CJK font: install fonts-noto-cjk, or every Chinese character is a box"
    font = QFont(FONT_FAMILIES)
    assert QFontInfo(font).family() == "Noto Sans CJK SC"
    assert QFontMetrics(font).inFontUcs4(ord("综"))
