// `wh gen`: generated data of the workloads.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "tools/gen/generator.h"
#include "tools/wh/cli.h"

namespace wh {
namespace {

int CmdGen(const Args& a) {
  if (a.positional.size() != 1) return Usage("usage: wh gen [--workload social|engagement] [--scale SF] [--seed N] OUT_DIR");
  GenOptions opt;
  opt.out_dir = a.positional[0];
  Status inside = RefuseInsideWarehouse(a.warehouse, opt.out_dir, "the output directory");
  if (!inside.ok()) return Fail(inside);
  if (!a.scale.empty()) {
    char* end = nullptr;
    opt.scale = std::strtod(a.scale.c_str(), &end);
    if (*end || !(opt.scale > 0) || opt.scale > 1000) return Usage("--scale must be a number in (0, 1000]");
  }
  if (!a.seed.empty()) {
    auto s = ParseInt64(a.seed, 0, INT64_MAX);
    if (!s.ok()) return Usage("--seed must be a non-negative integer");
    opt.seed = static_cast<uint64_t>(*s);
  }
  auto t0 = std::chrono::steady_clock::now();
  if (a.workload == "engagement") {
    auto e = GenerateEngagement(opt);
    if (!e.ok()) return Fail(e.status());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "generated %llu users, %llu interactions; %s in %.1f s\n",
                 static_cast<unsigned long long>(e->users), static_cast<unsigned long long>(e->interactions),
                 HumanBytes(e->bytes).c_str(), secs);
    return kExitOk;
  }
  if (!a.workload.empty() && a.workload != "social")
    return Usage("--workload '" + a.workload + "': expected social (the default) or engagement");
  auto r = GenerateSocial(opt);
  if (!r.ok()) return Fail(r.status());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "generated %llu users: %llu events, %llu payments, %llu posts; %s in %.1f s\n",
               static_cast<unsigned long long>(r->users), static_cast<unsigned long long>(r->events),
               static_cast<unsigned long long>(r->payments), static_cast<unsigned long long>(r->posts),
               HumanBytes(r->bytes).c_str(), secs);
  return kExitOk;
}

}  // namespace

const Command kGenCommand = {
    "gen", "[--workload W] [--scale SF] [--seed N] DIR",
    "write generated CSVs of a workload",
    "social (the default): seed-000 events, payments, posts; SF 1 = 1M users, 10M events, 2M\n"
    "payments, 5M posts. engagement: seed-002 interactions and users; SF 1 = 100K users, 10M\n"
    "interactions.",
    {
        {.name = "--workload", .value = "W", .help = "social or engagement", .text = &Args::workload},
        {.name = "--scale", .value = "SF", .help = "a number in (0, 1000] (default 1)", .text = &Args::scale},
        {.name = "--seed", .value = "N", .help = "the random seed", .text = &Args::seed},
    },
    CmdGen};

}  // namespace wh
