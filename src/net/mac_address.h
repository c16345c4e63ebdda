#pragma once
// An Ethernet MAC address, ordered so it can key a std::map.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ftvm::net {

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};

  auto operator<=>(const MacAddress&) const = default;
  bool is_broadcast() const { return bytes == std::array<std::uint8_t, 6>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; }
  // Group addresses (broadcast included) have the I/G bit set.
  bool is_group() const { return (bytes[0] & 1) != 0; }
  std::string to_string() const;

  static MacAddress from(std::span<const std::uint8_t> six) {
    MacAddress m;
    for (std::size_t i = 0; i < 6 && i < six.size(); ++i) m.bytes[i] = six[i];
    return m;
  }
  // "52:54:00:12:34:56" (case-insensitive hex, ':' or '-'); nullopt if malformed.
  static std::optional<MacAddress> parse(std::string_view text);
};

}  // namespace ftvm::net
