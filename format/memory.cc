#include "format/memory.h"

#include <atomic>

namespace wh {

const char* MemoryBudgetExceeded::what() const noexcept {
  return "the statement needs more memory than its budget (--memory-mb) allows";
}

namespace memory {
namespace {

std::atomic<uint64_t> g_budget{0};
std::atomic<int64_t> g_held{0};
// This thread's bytes not yet added to g_held; added when the thread ends.
struct Unsettled {
  int64_t bytes = 0;
  ~Unsettled() {
    if (bytes) g_held.fetch_add(bytes, std::memory_order_relaxed);
  }
};
thread_local Unsettled t_local;

// Adds this thread's unsettled bytes to the total; false when the total passes the budget.
bool Settle() {
  const int64_t held = g_held.fetch_add(t_local.bytes, std::memory_order_relaxed) + t_local.bytes;
  t_local.bytes = 0;
  const uint64_t budget = g_budget.load(std::memory_order_relaxed);
  return budget == 0 || held <= static_cast<int64_t>(budget);
}

}  // namespace

void SetBudget(uint64_t bytes) { g_budget.store(bytes, std::memory_order_relaxed); }
int64_t Held() { return g_held.load(std::memory_order_relaxed); }

bool Charge(uint64_t n) {
  t_local.bytes += static_cast<int64_t>(n);
  if (t_local.bytes < kGrain) return true;
  if (Settle()) return true;
  g_held.fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed);  // not allocated after all
  return false;
}

void Release(uint64_t n) {
  t_local.bytes -= static_cast<int64_t>(n);
  if (t_local.bytes <= -kGrain) (void)Settle();
}

}  // namespace memory
}  // namespace wh
