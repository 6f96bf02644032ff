// Run ids: how a new one is made, and what an id given on the command line
// may hold. A run id becomes part of table and lock names, so it is short
// and plain.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::load {

// A new run id: the UTC time and 24 random bits, e.g. 20261201T194207Z-3fa2c1.
std::string make_run_id();

// Whether `id` is 1 to 40 letters, digits, '-' or '_'.
bool is_valid_run_id(std::string_view id);

// Throws Error(kUsage) unless `id` is 1 to 40 letters, digits, '-' or '_'.
void check_run_id(const std::string& id);

}  // namespace pipeline::load
