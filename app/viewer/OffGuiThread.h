// SPDX-License-Identifier: Apache-2.0
// Heavy work (a series' load, a model's segmentation) run beside the GUI thread, which keeps
// serving events meanwhile: paints, keys, the wheel, a progress dialog's Cancel.
#pragma once

#include <functional>

namespace lightbox {

/// Runs `work` on a worker thread while the calling (GUI) thread runs a local event loop; returns
/// when it is done, rethrowing what it threw. The caller guards against starting a second run
/// meanwhile (events are served, so the user can ask again).
void runOffGuiThread(const std::function<void()>& work);

} // namespace lightbox
