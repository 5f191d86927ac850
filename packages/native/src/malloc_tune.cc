// glibc's heap thresholds, raised once per process when the addon loads.
//
// Tensors live in ArrayBuffers that V8 allocates with malloc and frees when the garbage
// collector finds them dead, often a step's worth at once. glibc returns memory at the top of
// its heap to the kernel once more than the trim threshold is free there (by default twice the
// largest block freed so far), and serves blocks above the mmap threshold with fresh mappings.
// Either way a training step's next outputs land on new pages, and each 4 KiB page costs a
// fault on first write: Linear(784, 512)'s forward and backward took about 350 faults a step and
// a third of its time here. glibc's own adaptive scheme raises the mmap threshold up to 32 MiB
// and the trim threshold to twice that as it sees large blocks freed; this sets both to those
// ceilings from the start, so freed tensor memory is reused from the heap. A user who tunes
// malloc (GLIBC_TUNABLES=glibc.malloc.*, or the MALLOC_*_ variables) is left alone.

#include "kernels.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tsn {

namespace {

const char* tune() {
#if defined(__GLIBC__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "glibc.malloc.") != nullptr) return "unchanged: GLIBC_TUNABLES sets malloc";
  for (const char* name : {"MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_"}) {
    if (std::getenv(name) != nullptr) return "unchanged: a MALLOC_* variable is set";
  }
  constexpr int kMmapThreshold = 32 << 20;
  constexpr int kTrimThreshold = 64 << 20;
  if (mallopt(M_MMAP_THRESHOLD, kMmapThreshold) != 1 || mallopt(M_TRIM_THRESHOLD, kTrimThreshold) != 1) {
    return "unchanged: mallopt refused";
  }
  return "glibc: mmap threshold 32 MiB, trim threshold 64 MiB";
#else
  return "unchanged: not glibc";
#endif
}

}  // namespace

const char* tune_malloc() {
  // Once per process, whichever JS environment loads the addon first (a static's initialiser
  // runs exactly once even when threads race to it).
  static const char* const result = tune();
  return result;
}

}  // namespace tsn
