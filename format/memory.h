// A budget on the memory a process holds: the bytes of column buffers (Buffer) and, in a
// program that counts them (the `wh` binary, tools/wh/memory_hooks.cc), of everything allocated
// with operator new. An allocation that would pass the budget throws MemoryBudgetExceeded (a
// std::bad_alloc), which CatchAll reports as ResourceExhausted: `wh query --memory-mb N` ends
// in a clear error (exit 8) where the kernel would kill the process or swap. Counting is per
// thread and settled with the process-wide total every kGrain bytes, so it costs no shared
// write per allocation and is exact to kGrain per thread. No budget is set by default.
#pragma once

#include <cstdint>
#include <new>

namespace wh {

class MemoryBudgetExceeded : public std::bad_alloc {
 public:
  const char* what() const noexcept override;
};

namespace memory {

constexpr int64_t kGrain = int64_t{1} << 20;

// 0: no budget.
void SetBudget(uint64_t bytes);
// Bytes held by the whole process as last settled (within kGrain per thread).
int64_t Held();

// Counts n bytes as held; false (and nothing counted) when that passes the budget.
bool Charge(uint64_t n);
// Counts n bytes as given back.
void Release(uint64_t n);

}  // namespace memory
}  // namespace wh
