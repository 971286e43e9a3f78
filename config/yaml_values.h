// Internal: turning YAML values into parameter arguments, shared by the loader (config.cpp) and
// CONFIG REWRITE (rewrite.cpp), which re-reads the file to see which values really changed.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "config/params.h"

namespace snapstream::config::detail {

// The arguments a YAML value gives parameter `p` (a scalar, a null meaning "", or for multi-word
// parameters a list of words or of lists of words, and for client-output-buffer-limit also a
// class -> "hard soft seconds" mapping). On a shape the parameter can't take, returns the
// problem ("expected a single value, got a list").
std::optional<std::string> yaml_to_args(const Param& p, const YAML::Node& value, Args& out);

// A path made absolute and lexically normal (no trailing '/'), as load() stores `dir` and
// config_file so that they stay right when the node changes its working directory; "" stays "".
std::string absolute_path(std::string_view dir);

}  // namespace snapstream::config::detail
