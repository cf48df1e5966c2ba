"""Qt's own translation system: English source strings, Chinese from a .qm file.

``resources/i18n/command_center_zh_CN.ts`` holds the translations; ``scripts/build-translations``
refreshes it from the sources (pyside6-lupdate) and compiles the .qm (pyside6-lrelease).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from core.resources import RESOURCES

I18N_DIR = RESOURCES / "i18n"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_QM = {"zh": "command_center_zh_CN.qm"}
_QT_QM = {"zh": "qtbase_zh_CN"}  # Qt's own strings: standard buttons, context menus
_LOCALE = {"zh": QLocale(QLocale.Language.Chinese, QLocale.Country.China)}


class TranslationMissing(RuntimeError):
    pass


def qm_path(lang: str) -> Path:
    return I18N_DIR / _QM[lang]


def install(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install the translators for ``lang`` ("en" installs none: the sources are English).

    The returned translators are parented to ``app``; pass them to ``uninstall``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return []
    ours = QTranslator(app)
    if not ours.load(str(qm_path(lang))):
        raise TranslationMissing(f"cannot load {qm_path(lang)}: run scripts/build-translations")
    installed = [ours]
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(_QT_QM[lang], qt_dir):
        installed.append(qt)
    for translator in installed:
        app.installTranslator(translator)
    QLocale.setDefault(_LOCALE[lang])
    return installed


def current_language() -> str:
    """The language ``install`` set up last ("zh" or "en")."""
    return "zh" if QLocale().language() == QLocale.Language.Chinese else "en"


def uninstall(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
        translator.deleteLater()
