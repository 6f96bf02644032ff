#include "pipeline/load/people_table.hpp"

#include <zlib.h>

namespace pipeline::load {

std::uint32_t RowChecksum::operator()(std::string_view id, std::string_view given_name, std::string_view family_name,
                                      std::string_view date_of_birth, std::string_view place_of_birth_id) {
  text_.assign(id).append("\t").append(given_name).append("\t").append(family_name);
  text_.append("\t").append(date_of_birth).append("\t").append(place_of_birth_id);
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(text_.data()), static_cast<uInt>(text_.size())));
}

}  // namespace pipeline::load
