// SPDX-License-Identifier: Apache-2.0
// Waiting in Qt tests: events are processed while the condition is false, up to a limit.
#pragma once

#include <QApplication>
#include <QElapsedTimer>

namespace lightbox::test {

/// Processes events until `done()` is true or `ms` milliseconds passed; returns `done()`.
template <typename F> bool waitFor(F done, int ms) {
  QElapsedTimer t;
  t.start();
  while (!done() && t.elapsed() < ms) QApplication::processEvents(QEventLoop::AllEvents, 20);
  return done();
}

} // namespace lightbox::test
