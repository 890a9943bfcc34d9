// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/OffGuiThread.h"

#include <QEventLoop>
#include <QMetaObject>

#include <exception>
#include <thread>

namespace lightbox {

void runOffGuiThread(const std::function<void()>& work) {
  QEventLoop loop;
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
    QMetaObject::invokeMethod(&loop, "quit", Qt::QueuedConnection);
  });
  loop.exec();
  worker.join();
  if (error) std::rethrow_exception(error);
}

} // namespace lightbox
