// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

namespace lightbox {

/// The languages the interface and the report come in: "en" and "zh_CN". Translations are Qt
/// Linguist files (resources/translations/lightbox_<code>.ts, compiled by lrelease into the
/// binary); Qt's own dialogs use Debian's qtbase_<code>.qm when it is installed.
QStringList availableLanguages();
/// The language's own name for a menu: "English", "简体中文".
QString languageName(const QString& code);
/// The reader's choice (View > Language), remembered in the settings; empty: follow the system.
QString savedLanguage();
void saveLanguage(const QString& code);
/// The system locale's language when Lightbox has it (zh_CN for any Chinese locale written in
/// simplified characters), else "en".
QString systemLanguage();
/// The saved choice, else the system's.
QString startupLanguage();
/// Installs `code`'s translators in the application (replacing the previous language's) and makes
/// its locale the default for numbers and dates; Qt then sends LanguageChange to every widget, so
/// the change applies at once. An unknown code or a translation that cannot be loaded leaves the
/// interface in English and returns false.
bool applyLanguage(const QString& code);
/// The language applied last ("en" before any).
QString currentLanguage();

} // namespace lightbox
