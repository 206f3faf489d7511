// Threads that cannot end the process. An exception that leaves a std::thread's function
// (std::bad_alloc when memory runs out, on any thread) calls std::terminate; wh's threads
// catch it where it is thrown and hand it to the thread that waits for them, which turns it
// into a Status at the library's boundary (ResourceExhausted for memory, see CatchAll).
#pragma once

#include <errno.h>
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <exception>
#include <functional>
#include <system_error>
#include <memory>
#include <new>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "format/memory.h"
#include "format/status.h"

namespace wh {

// Set while a statement should stop (the shell's SIGINT handler sets it; the shell clears it
// before each statement). Loops that can run long - scans, joins, generated rows, parallel
// work - poll it between batches and end with Cancelled, which leaves the warehouse as it
// was like any other failed statement.
inline std::atomic<bool> g_interrupted{false};
inline bool Interrupted() { return g_interrupted.load(std::memory_order_relaxed); }
inline Status CheckInterrupt() {
  return Interrupted() ? Status::Cancelled("the statement was interrupted") : Status::OK();
}

// Runs fn and returns what it returns (a Status, or OK for void), or the exception it threw as
// a Status: std::bad_alloc and std::length_error (memory exhausted, or a size no allocation can
// have) as ResourceExhausted, anything else as Internal.
template <typename F>
Status CatchAll(F&& fn) noexcept {
  try {
    if constexpr (std::is_same_v<std::invoke_result_t<F>, void>) {
      fn();
      return Status::OK();
    } else {
      return fn();
    }
  } catch (const MemoryBudgetExceeded& e) {
    return Status::ResourceExhausted(std::string("out of memory: ") + e.what());
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory");
  } catch (const std::length_error&) {
    return Status::ResourceExhausted("out of memory (a size beyond what can be allocated)");
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::resource_unavailable_try_again || e.code() == std::errc::not_enough_memory)
      return Status::ResourceExhausted(std::string("out of resources: ") + e.what());
    return Status::Internal(std::string("unexpected exception: ") + e.what());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return Status::Internal("unexpected exception");
  }
}

// A thread whose function's exception is kept and thrown again by Join(), on the joining
// thread. The destructor joins (and drops a kept exception: call Join() to see it). Its stack
// is kStackBytes (address space; only the pages used are memory): operators call their inputs
// recursively, so a worker needs the depth of the plan it runs, which the binder bounds.
class Thread {
 public:
  static constexpr size_t kStackBytes = size_t{64} << 20;

  Thread() = default;
  template <typename F>
  explicit Thread(F fn) {
    auto body = std::make_unique<Body>();
    body->fn = std::move(fn);
    Start(std::move(body));
  }
  Thread(Thread&& o) noexcept : id_(o.id_), running_(std::exchange(o.running_, false)), body_(std::move(o.body_)) {}
  Thread& operator=(Thread&& o) noexcept {
    Wait();
    id_ = o.id_;
    running_ = std::exchange(o.running_, false);
    body_ = std::move(o.body_);
    return *this;
  }
  ~Thread() { Wait(); }
  bool joinable() const { return running_; }
  void Join() {
    Wait();
    if (body_ && body_->error) std::rethrow_exception(std::exchange(body_->error, nullptr));
  }

 private:
  struct Body {
    std::function<void()> fn;
    std::exception_ptr error;
  };
  static void* Run(void* arg) {
    Body* b = static_cast<Body*>(arg);
    try {
      b->fn();
    } catch (...) {
      b->error = std::current_exception();
    }
    return nullptr;
  }
  void Start(std::unique_ptr<Body> body) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kStackBytes);
    int rc = pthread_create(&id_, &attr, &Thread::Run, body.get());
    pthread_attr_destroy(&attr);
    // Under a limit on address space (ulimit -v) the big stack may not fit: the default one.
    if (rc == EAGAIN || rc == ENOMEM) rc = pthread_create(&id_, nullptr, &Thread::Run, body.get());
    if (rc == EAGAIN || rc == ENOMEM) throw std::bad_alloc();  // no memory for a thread
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "cannot start a thread");
    body_ = std::move(body);
    running_ = true;
  }
  void Wait() {
    if (running_) pthread_join(id_, nullptr);
    running_ = false;
  }

  pthread_t id_{};
  bool running_ = false;
  std::unique_ptr<Body> body_;
};

// Threads kept for a series of short parallel jobs (a file's row groups, each encoded by all
// cores): Run(fn) runs fn on the calling thread and on every helper at once and returns when
// all have returned, throwing again the first exception any of them threw. Starting threads
// for each job would cost more than a small job (a 64 MiB stack mapped and unmapped each time).
class HelperThreads {
 public:
  explicit HelperThreads(size_t helpers) {
    try {
      threads_.reserve(helpers);
      for (size_t k = 0; k < helpers; ++k) threads_.emplace_back([this] { Loop(); });
    } catch (...) {
      Stop();  // the helpers already started would wait for a job forever
      throw;
    }
  }
  ~HelperThreads() { Stop(); }
  HelperThreads(const HelperThreads&) = delete;
  HelperThreads& operator=(const HelperThreads&) = delete;

  void Run(const std::function<void()>& fn) {
    {
      std::lock_guard<std::mutex> l(mu_);
      job_ = &fn;
      busy_ = threads_.size();
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    std::exception_ptr mine;
    try {
      fn();
    } catch (...) {
      mine = std::current_exception();
    }
    std::unique_lock<std::mutex> l(mu_);
    done_.wait(l, [&] { return busy_ == 0; });
    job_ = nullptr;
    if (!mine) mine = std::exchange(error_, nullptr);
    if (mine) std::rethrow_exception(mine);
  }

 private:
  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    threads_.clear();  // joins
  }
  void Loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> l(mu_);
    for (;;) {
      wake_.wait(l, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      const std::function<void()>* job = job_;
      l.unlock();
      std::exception_ptr e;
      try {
        (*job)();
      } catch (...) {
        e = std::current_exception();
      }
      l.lock();
      if (e && !error_) error_ = e;
      if (--busy_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void()>* job_ = nullptr;
  uint64_t generation_ = 0;
  size_t busy_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::vector<Thread> threads_;  // last: joined (by the destructor) before the rest goes
};

// Runs fn() on `threads` threads at once (the calling one among them) and waits for all of
// them; the first exception any of them threw is thrown again here, after all have ended.
template <typename F>
void RunOnThreads(size_t threads, F&& fn) {
  std::vector<Thread> pool;
  std::exception_ptr mine;
  try {
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(fn);
    fn();
  } catch (...) {
    mine = std::current_exception();
  }
  for (auto& t : pool) {
    try {
      t.Join();
    } catch (...) {
      if (!mine) mine = std::current_exception();
    }
  }
  if (mine) std::rethrow_exception(mine);
}

// Runs fn(i) -> Status for i in [0, n) on up to `threads` threads. After a failure no new index
// starts; returns the error of the lowest index that failed (OK when none did).
template <typename F>
Status ParallelFor(size_t n, size_t threads, F&& fn) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  size_t first_at = SIZE_MAX;
  std::atomic<bool> failed{false};
  RunOnThreads(std::max<size_t>(1, std::min(n, threads)), [&] {
    for (size_t i; !failed && (i = next++) < n;) {
      Status st = CheckInterrupt();
      if (!st.ok()) {
        failed = true;
        std::lock_guard<std::mutex> l(mu);
        if (i < first_at) {
          first = std::move(st);
          first_at = i;
        }
        break;
      }
      Status thrown = CatchAll([&] { st = fn(i); });  // out of memory: stop the others too
      if (!thrown.ok()) st = thrown;
      if (st.ok()) continue;
      failed = true;
      std::lock_guard<std::mutex> l(mu);
      if (i < first_at) {
        first = std::move(st);
        first_at = i;
      }
    }
  });
  return first;
}

}  // namespace wh
