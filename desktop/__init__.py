"""The Qt application (PySide6 + qasync): app, main window, theme, i18n."""
