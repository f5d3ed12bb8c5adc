// Ctrl-C and SIGTERM as a stop_token, so long-running commands stop between requests and
// leave their checkpoints consistent.
#pragma once

#include <stop_token>

namespace cryptolake::cli {

// Installs the handlers on first use; the token is requested to stop on SIGINT or SIGTERM.
std::stop_token interrupt_token();

}  // namespace cryptolake::cli
