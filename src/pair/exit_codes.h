#pragma once
// Exit statuses of `ftvm vm` beyond the guest's own power-off code.
namespace ftvm::pair {

inline constexpr int kExitBadSetup = 2;     // bad config, no peer, log from another VM
inline constexpr int kExitHalted = 6;       // lost test-and-set: the peer is the live copy
inline constexpr int kExitDiverged = 7;     // the backup's replay left the primary's path

}  // namespace ftvm::pair
