// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/ViewerApp.h"

#include "app/i18n/Translations.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/VtkViewport.h"

#include "ai/runtime/TorchBackend.h"

#include <QApplication>
#include <QSurfaceFormat>
#include <QTimer>

#include <cstdio>

namespace lightbox {

void setViewerSurfaceFormat() {
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(8);
  format.setStencilBufferSize(0);
  format.setAlphaBufferSize(8);
  format.setSamples(0);
  QSurfaceFormat::setDefaultFormat(format);
}

int runViewer(int argc, char** argv, const std::string& path, const std::string& screenshotPath,
              const std::string& layout, const std::string& language) {
  setViewerSurfaceFormat();
  QApplication app(argc, argv);
  QApplication::setApplicationName("Lightbox");
  // The reader's language (View > Language, else the system's) before any widget exists; --language
  // overrides it for this session only.
  const QString code = language.empty() ? startupLanguage() : QString::fromStdString(language);
  if (!applyLanguage(code)) std::fprintf(stderr, "lightbox: the %s translation cannot be loaded: English\n", qPrintable(code));
  MainWindow window;
  window.show();
  window.activateWindow(); // shortcuts need an active window; without a window manager none is
  int status = 0;
  if (!path.empty() && !window.openPath(QString::fromStdString(path))) {
    status = 1;
  }
  if (layout.size() == 3) {
    // "RxC": rows x columns as the View menu names them (1 x 2 is two columns).
    window.setLayoutMode(layout[2] - '0', layout[0] - '0');
  }
  // LibTorch loads after the first images are up (on a background thread), so the window opens
  // without waiting for it and the first AI action does not either.
  QTimer::singleShot(1500, &window, [] { preloadTorchBackend(); });
  if (!screenshotPath.empty()) {
    QTimer::singleShot(0, &window, [&] {
      const QImage shot = grabWindow(&window);
      if (!shot.save(QString::fromStdString(screenshotPath))) {
        std::fprintf(stderr, "lightbox: cannot write %s\n", screenshotPath.c_str());
        status = 1;
      } else {
        std::printf("wrote %s (%dx%d)\n", screenshotPath.c_str(), shot.width(), shot.height());
      }
      QApplication::exit(status);
    });
  }
  const int rc = app.exec();
  return status != 0 ? status : rc;
}

} // namespace lightbox
