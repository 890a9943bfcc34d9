// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QGuiApplication>

#include <memory>

namespace lightbox::cli {

/// The PDF needs a QGuiApplication; without a display it runs on Qt's offscreen platform. Null
/// when one exists already (the caller keeps the returned one alive while it draws).
std::unique_ptr<QGuiApplication> ensureGuiApplication();

} // namespace lightbox::cli
