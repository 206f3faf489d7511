// The SQL shell: `wh` with no command, or `wh shell`.
#pragma once

#include <string>

namespace wh {

// Reads statements (each ended by ';', over as many lines as it takes) and dot-commands
// (.help lists them) and runs them against the warehouse at `warehouse`, in one session (its
// temporary views last as long as the shell). `interactive`: from the terminal, with a prompt,
// line editing, a history file and tab completion (libedit); an error is shown and the shell
// goes on, Ctrl-C stops the running statement, Ctrl-D leaves. Otherwise standard input is a
// script: its statements run in order and the first error stops it. Returns the exit code.
// `mode`: the output format to start with ("": table at a terminal, csv otherwise).
int RunShell(const std::string& warehouse, bool interactive, const std::string& mode = "");

}  // namespace wh
