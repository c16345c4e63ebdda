#include "pair/mac_announcement.h"

namespace ftvm::pair {

namespace {
void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put_mac(std::vector<std::uint8_t>& out, const net::MacAddress& mac) {
  out.insert(out.end(), mac.bytes.begin(), mac.bytes.end());
}
constexpr std::uint16_t kEtherTypeRarp = 0x8035;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kHardwareEthernet = 1;
constexpr std::uint16_t kOpRequestReverse = 3;
constexpr std::size_t kMinFrame = 60;  // Ethernet minimum without FCS
}  // namespace

std::vector<std::uint8_t> mac_announcement(const net::MacAddress& mac) {
  std::vector<std::uint8_t> f;
  put_mac(f, net::MacAddress{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}});
  put_mac(f, mac);
  put16(f, kEtherTypeRarp);
  put16(f, kHardwareEthernet);
  put16(f, kEtherTypeIpv4);
  f.push_back(6);  // hardware address length
  f.push_back(4);  // protocol address length
  put16(f, kOpRequestReverse);
  put_mac(f, mac);               // sender hardware address
  f.insert(f.end(), 4, 0);       // sender protocol address: unknown
  put_mac(f, mac);               // target hardware address: ourselves
  f.insert(f.end(), 4, 0);       // target protocol address: unknown
  f.resize(kMinFrame, 0);
  return f;
}

}  // namespace ftvm::pair
