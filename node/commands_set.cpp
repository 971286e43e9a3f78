#include "node/command_util.h"
namespace snapstream {
void register_set_commands(CommandTable&) {}
}  // namespace snapstream
