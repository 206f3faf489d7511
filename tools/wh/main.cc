// wh: the command line. Finds the command, parses its options by the command's table (one file
// per command: tools/wh/<name>.cc) and runs it; stdout carries results only, progress and errors
// go to stderr.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "format/thread.h"
#include "tools/wh/cli.h"
#include "tools/wh/shell.h"

#ifndef WH_VERSION
#define WH_VERSION "dev"
#endif

namespace wh {
namespace {

const std::vector<const Command*>& Commands() {
  static const std::vector<const Command*> all = {&kQueryCommand,   &kIngestCommand, &kInspectCommand,
                                                  &kCompactCommand, &kVerifyCommand, &kExportCommand,
                                                  &kGenCommand,     &kShellCommand};
  return all;
}

const Command* FindCommand(const std::string& name) {
  for (const Command* c : Commands())
    if (name == c->name) return c;
  return nullptr;
}

// Text wrapped at 96 columns, every line after the first indented by `indent`.
std::string Wrap(const std::string& text, size_t first, size_t indent) {
  std::string out, line;
  size_t width = 96 - first;
  auto flush = [&] {
    out += line + "\n";
    line.clear();
    width = 96 - indent;
  };
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    std::string word = text.substr(i, j - i);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      flush();
      out += std::string(indent, ' ');
    }
    line += (line.empty() ? "" : " ") + word;
    i = j + 1;
  }
  if (!line.empty()) flush();
  return out.empty() ? "\n" : out;
}

std::string OptionText(const Option& o) {
  std::string s = o.alias ? std::string(o.alias) + ", " + o.name : std::string(o.name);
  if (o.value) s += std::string(" ") + o.value;
  return s;
}

void PrintCommandHelp(const Command& c, std::ostream& out) {
  out << "usage: wh [-w DIR] " << c.name << " " << c.synopsis << "\n\n" << c.summary << ".\n" << c.help << "\n";
  if (!c.options.empty()) {
    out << "\noptions:\n";
    for (const Option& o : c.options) {
      std::string left = "  " + OptionText(o);
      if (left.size() < 30) left += std::string(30 - left.size(), ' ');
      else left += "\n" + std::string(30, ' ');
      out << left << Wrap(o.help, 30, 30);
    }
  }
  out << "  -w, --warehouse DIR         the warehouse (default: $WH_WAREHOUSE, else ./warehouse)\n";
}

void PrintUsage(std::ostream& out) {
  out << "wh: an embedded analytical warehouse for event data\n\n"
         "usage: wh [-w DIR] COMMAND [ARGS]      (wh COMMAND --help: its options)\n"
         "       wh [-w DIR]                     the SQL shell at a terminal; with standard input not a\n"
         "                                       terminal, runs its statements in order, stopping at the\n"
         "                                       first error (its exit code)\n\ncommands:\n";
  for (const Command* c : Commands()) {
    std::string left = std::string("  ") + c->name;
    left += std::string(12 - std::min<size_t>(left.size(), 11), ' ');
    out << left << Wrap(c->summary, 12, 12);
  }
  out << "  version   print the version\n\n"
         "options of every command:\n"
         "  -w, --warehouse DIR   the warehouse directory (default: $WH_WAREHOUSE, else ./warehouse)\n"
         "  -h, --help            the usage (of a command, after it)\n\n"
         "exit codes: 0 ok, 1 error in the request (SQL, names), 2 usage, 3 input data rejected,\n"
         "            4 corruption, 5 I/O error, 6 unsupported format version, 7 locked, 8 out of\n"
         "            memory, 70 internal, 130 interrupted\n";
}

int Main(int argc, char** argv) {
  Args a;
  const char* env = std::getenv("WH_WAREHOUSE");
  a.warehouse = env && *env ? env : "warehouse";
  const std::vector<std::string> args(argv + 1, argv + argc);
  // Whether an option takes a value is the same in every command, so the command can be found
  // (the first word that is no option and no option's value) before its table is known.
  std::map<std::string, bool> takes_value = {{"-w", true}, {"--warehouse", true}};
  for (const Command* c : Commands())
    for (const Option& o : c->options) {
      takes_value[o.name] = o.value != nullptr;
      if (o.alias) takes_value[o.alias] = o.value != nullptr;
    }
  // SQL that begins with a -- comment is SQL, not an option: no option has white space in it.
  auto is_option = [](const std::string& s) {
    return s.size() > 1 && s[0] == '-' && !(s.rfind("--", 0) == 0 && s.find_first_of(" \t\r\n") != std::string::npos);
  };
  bool help = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s == "-h" || s == "--help" || (a.command.empty() && s == "help")) {
      help = true;
    } else if (s == "--version" || (a.command.empty() && s == "version")) {
      std::cout << "wh " << WH_VERSION << "\n";
      return kExitOk;
    } else if (is_option(s)) {
      auto it = takes_value.find(s);
      if (it != takes_value.end() && it->second) ++i;
    } else if (a.command.empty()) {
      a.command = s;
    }
  }
  const Command* cmd = a.command.empty() ? nullptr : FindCommand(a.command);
  if (!a.command.empty() && !cmd) {
    if (help) {  // wh help COMMAND
      PrintUsage(std::cout);
      return kExitOk;
    }
    return Usage("unknown command '" + a.command + "'");
  }
  if (help) {
    if (cmd) PrintCommandHelp(*cmd, std::cout);
    else PrintUsage(std::cout);
    return kExitOk;
  }
  // No command: the shell (its options are the shell's).
  const Command& c = cmd ? *cmd : kShellCommand;
  const std::string who = cmd ? "wh " + std::string(cmd->name) : std::string("wh");
  bool command_seen = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (!is_option(s)) {
      if (!command_seen && cmd && s == a.command) command_seen = true;
      else a.positional.push_back(s);
      continue;
    }
    auto value = [&](const std::string& name) -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::InvalidArgument(name + " needs a value");
      // An empty value is a mistake (an unset shell variable), never "the default".
      if (args[i + 1].empty()) return Status::InvalidArgument(name + " needs a value, not an empty string");
      return args[++i];
    };
    if (s == "-w" || s == "--warehouse") {
      auto v = value("-w");
      if (!v.ok()) return Usage(v.status().message());
      a.warehouse = *v;
      continue;
    }
    const Option* opt = nullptr;
    for (const Option& o : c.options)
      if (s == o.name || (o.alias && s == o.alias)) opt = &o;
    if (!opt) {
      std::string known;
      for (const Option& o : c.options) known += (known.empty() ? "" : ", ") + std::string(o.name);
      std::cerr << "wh: " << (takes_value.count(s) ? who + " takes no option " + s : "unknown option '" + s + "'")
                << (known.empty() ? std::string(" (it takes none but -w)") : " (its options: " + known + ")")
                << "\n(run `" << who << " --help` for usage)\n";
      return kExitUsage;
    }
    if (!opt->value) {
      a.*(opt->flag) = true;
      continue;
    }
    auto v = value(opt->name);
    if (!v.ok()) return Usage(v.status().message());
    if (opt->list) (a.*(opt->list)).push_back(*v);
    else a.*(opt->text) = *v;
  }
  if (!cmd) {
    if (!a.positional.empty()) return Usage("unknown command '" + a.positional[0] + "'");
    return RunShell(a.warehouse, isatty(STDIN_FILENO), a.format);
  }
  return cmd->run(a);
}

}  // namespace
}  // namespace wh

int main(int argc, char** argv) {
  // wh allocates and frees column buffers of a few KiB to tens of MiB at a high rate on every
  // thread. glibc's defaults return them to the kernel (fresh mmaps above 128 KiB or so, trims)
  // and grow each thread's heap in small steps, so the same pages are faulted in and zeroed over
  // and over: keep buffers up to 32 MiB in the heap, trim only past 1 GiB free, grow by 64 MiB.
  // (Peak RSS does not change; SF 1 report 0.92 -> 0.87 s, DAU 0.248 -> 0.242 s.)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  int code = 0;
  wh::Status st = wh::CatchAll([&] { code = wh::Main(argc, argv); });
  if (!st.ok()) {
    std::cerr << "wh: error: " << st.ToString() << "\n";
    return wh::ExitCodeFor(st);
  }
  return code;
}
