// SPDX-License-Identifier: Apache-2.0
// Large blocks (a series' voxels, a resampled copy, a NIfTI being read; 32-256 MiB) are backed by
// transparent huge pages where the kernel offers them on request (THP "madvise" mode, Debian's
// default): one page fault per 2 MiB instead of one per 4 KiB. On a 512x512x141 CT that removes
// about 18 thousand faults and a third of `lightbox convert`'s CPU time (issue 30). Everything else
// is plain malloc/free.
//
// This replaces the global operator new of the two executables (compiled into each, not into a
// library: a replacement must be linked into the program itself). The default array, nothrow and
// delete operators of libstdc++ call this one and free(), so they stay consistent.
// Not in AddressSanitizer or ThreadSanitizer builds (scripts/sanitize.sh): their runtimes bring
// every operator new and delete of their own, and replacing some of them mixes allocators.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

// Above glibc's largest mmap threshold (32 MiB; lightbox-full sets it there with mallopt): blocks this
// large always get a fresh mmap, so no page is touched before the advice. Smaller ones may come
// from the heap, already faulted in.
constexpr std::size_t kAdviseFrom = (std::size_t(32) << 20) + 1;
// Not above: measured on this (virtual) machine, a 500 MB block on huge pages made a 1000-slice
// convert bimodal (0.3 s or 2-6 s: fresh huge pages are slow to touch for the first time there),
// while 4 KiB pages gave 0.55-0.77 s every time; a 70 MB CT gains every time (0.10 -> 0.07 s).
constexpr std::size_t kAdviseUpTo = std::size_t(256) << 20;
constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;

/// LIGHTBOX_HUGE_PAGES=0 turns the advice off (to compare, or on a kernel where compaction stalls).
bool adviseEnabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("LIGHTBOX_HUGE_PAGES");
    return !(v && v[0] == '0');
  }();
  return enabled;
}

void* allocate(std::size_t size) {
  void* p = std::malloc(size ? size : 1);
  if (p && size >= kAdviseFrom && size <= kAdviseUpTo && adviseEnabled()) {
    // A fresh mmap (see kAdviseFrom): no page is touched yet, so the advice takes effect on the
    // first write. Only whole, aligned huge pages inside the block are advised.
    const std::uintptr_t begin =
        (reinterpret_cast<std::uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
    const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(p) + size) & ~(kHugePage - 1);
    if (end > begin) {
      ::madvise(reinterpret_cast<void*>(begin), end - begin,
                MADV_HUGEPAGE); // advice only: failure is fine
    }
  }
  return p;
}

} // namespace

void* operator new(std::size_t size) {
  for (;;) {
    if (void* p = allocate(size))
      return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler)
      throw std::bad_alloc();
    handler();
  }
}

// The matching deletes, said outright (libstdc++'s call free() too).
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif
