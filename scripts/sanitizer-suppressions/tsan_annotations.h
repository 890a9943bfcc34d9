// SPDX-License-Identifier: Apache-2.0
// Included first in every translation unit of the ThreadSanitizer build (scripts/sanitize.sh thread).
// libstdc++'s shared_ptr frees the last reference on a fast path (a plain acquire load of both
// counts) that TSan pairs with nothing unless these two hooks annotate it (libstdc++ manual, "Data
// Race Hunting"): without them a shared_ptr released last on another thread reads as a race.
#pragma once
#include <sanitizer/tsan_interface.h>
#define _GLIBCXX_SYNCHRONIZATION_HAPPENS_BEFORE(A) __tsan_release(A)
#define _GLIBCXX_SYNCHRONIZATION_HAPPENS_AFTER(A) __tsan_acquire(A)
