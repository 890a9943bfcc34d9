// SPDX-License-Identifier: Apache-2.0
#include "app/i18n/Translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace lightbox {

namespace {

constexpr const char* kSettingsKey = "language";

struct Installed {
  QString code = QStringLiteral("en");
  std::unique_ptr<QTranslator> lightbox;
  std::unique_ptr<QTranslator> qt;
};

Installed& installed() {
  static Installed state;
  return state;
}

void removeInstalled() {
  Installed& s = installed();
  if (s.lightbox)
    QCoreApplication::removeTranslator(s.lightbox.get());
  if (s.qt)
    QCoreApplication::removeTranslator(s.qt.get());
  s.lightbox.reset();
  s.qt.reset();
  s.code = QStringLiteral("en");
}

} // namespace

QStringList availableLanguages() {
  return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString languageName(const QString& code) {
  if (code == QLatin1String("zh_CN"))
    return QStringLiteral("简体中文");
  return QStringLiteral("English");
}

QString savedLanguage() {
  const QString code = QSettings().value(kSettingsKey).toString();
  return availableLanguages().contains(code) ? code : QString();
}

void saveLanguage(const QString& code) {
  QSettings settings;
  if (code.isEmpty())
    settings.remove(kSettingsKey);
  else
    settings.setValue(kSettingsKey, code);
}

QString systemLanguage() {
  const QLocale system = QLocale::system();
  if (system.language() == QLocale::Chinese && system.script() != QLocale::TraditionalChineseScript)
    return QStringLiteral("zh_CN");
  return QStringLiteral("en");
}

QString startupLanguage() {
  const QString saved = savedLanguage();
  return saved.isEmpty() ? systemLanguage() : saved;
}

bool applyLanguage(const QString& code) {
  if (code == installed().code)
    return true;
  removeInstalled();
  if (code == QLatin1String("en")) {
    const QLocale system = QLocale::system();
    const bool englishSystem =
        system.language() == QLocale::English || system.language() == QLocale::C;
    QLocale::setDefault(englishSystem ? system : QLocale(QLocale::English, QLocale::UnitedStates));
    return true;
  }
  if (!availableLanguages().contains(code))
    return false;
  auto ours = std::make_unique<QTranslator>();
  if (!ours->load(QStringLiteral(":/i18n/lightbox_%1.qm").arg(code)))
    return false;
  auto qt = std::make_unique<QTranslator>();
  // Qt's own strings (standard buttons, file dialogs); absent when Debian's translations are not
  // installed, which leaves those few in English.
  if (qt->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
               QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QCoreApplication::installTranslator(qt.get());
    installed().qt = std::move(qt);
  }
  QCoreApplication::installTranslator(ours.get());
  installed().lightbox = std::move(ours);
  installed().code = code;
  QLocale::setDefault(QLocale(code));
  return true;
}

QString currentLanguage() {
  return installed().code;
}

} // namespace lightbox
