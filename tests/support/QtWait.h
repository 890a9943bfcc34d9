// SPDX-License-Identifier: Apache-2.0
// Waiting in Qt tests: events are processed while the condition is false, up to a limit.
#pragma once

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

namespace lightbox::test {

/// Processes events until `done()` is true or `ms` milliseconds passed; returns `done()`.
template <typename F> bool waitFor(F done, int ms) {
  QElapsedTimer t;
  t.start();
  while (!done() && t.elapsed() < ms) QApplication::processEvents(QEventLoop::AllEvents, 20);
  return done();
}

/// Closes every message box that shows while it lives (a blocking dialog would hang the test),
/// checking every 50 ms; counts them.
class MessageBoxCloser {
public:
  MessageBoxCloser() {
    timer_.setInterval(50);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      for (QWidget* w : QApplication::topLevelWidgets()) {
        if (w->isVisible() && w->inherits("QMessageBox")) {
          ++closed_;
          w->close();
        }
      }
    });
    timer_.start();
  }
  int closed() const { return closed_; }

private:
  QTimer timer_;
  int closed_ = 0;
};

} // namespace lightbox::test
