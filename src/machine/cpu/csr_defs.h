#pragma once
// CSR numbers, mstatus fields and trap causes (privileged spec 1.12).
#include <cstdint>

namespace ftvm::machine::cpu {

namespace csrn {
inline constexpr unsigned kFflags = 0x001, kFrm = 0x002, kFcsr = 0x003;
inline constexpr unsigned kCycle = 0xc00, kTime = 0xc01, kInstret = 0xc02, kHpmcounter3 = 0xc03,
                          kHpmcounter31 = 0xc1f;
inline constexpr unsigned kSstatus = 0x100, kSie = 0x104, kStvec = 0x105, kScounteren = 0x106, kSenvcfg = 0x10a,
                          kSscratch = 0x140, kSepc = 0x141, kScause = 0x142, kStval = 0x143, kSip = 0x144,
                          kSatp = 0x180;
inline constexpr unsigned kMvendorid = 0xf11, kMarchid = 0xf12, kMimpid = 0xf13, kMhartid = 0xf14,
                          kMconfigptr = 0xf15;
inline constexpr unsigned kMstatus = 0x300, kMisa = 0x301, kMedeleg = 0x302, kMideleg = 0x303, kMie = 0x304,
                          kMtvec = 0x305, kMcounteren = 0x306, kMenvcfg = 0x30a, kMcountinhibit = 0x320,
                          kMhpmevent3 = 0x323, kMhpmevent31 = 0x33f, kMscratch = 0x340, kMepc = 0x341,
                          kMcause = 0x342, kMtval = 0x343, kMip = 0x344, kPmpcfg0 = 0x3a0, kPmpcfg2 = 0x3a2,
                          kPmpaddr0 = 0x3b0, kPmpaddr15 = 0x3bf, kMcycle = 0xb00, kMinstret = 0xb02,
                          kMhpmcounter3 = 0xb03, kMhpmcounter31 = 0xb1f;
}  // namespace csrn

namespace mstatus {
inline constexpr std::uint64_t kSie = 1ull << 1, kMie = 1ull << 3, kSpie = 1ull << 5, kMpie = 1ull << 7,
                               kSpp = 1ull << 8, kMpp = 3ull << 11, kFs = 3ull << 13, kMprv = 1ull << 17,
                               kSum = 1ull << 18, kMxr = 1ull << 19, kTvm = 1ull << 20, kTw = 1ull << 21,
                               kTsr = 1ull << 22, kUxl = 3ull << 32, kSxl = 3ull << 34, kSd = 1ull << 63;
inline constexpr unsigned kMppShift = 11, kFsShift = 13;
inline constexpr std::uint64_t kFsDirty = 3ull << kFsShift;
// Fields this hart implements; VS, XS, UBE/SBE/MBE and friends read as zero.
inline constexpr std::uint64_t kWritable =
    kSie | kMie | kSpie | kMpie | kSpp | kMpp | kFs | kMprv | kSum | kMxr | kTvm | kTw | kTsr;
inline constexpr std::uint64_t kSstatusView = kSie | kSpie | kSpp | kFs | kSum | kMxr | kUxl | kSd;
inline constexpr std::uint64_t kSstatusWritable = kSie | kSpie | kSpp | kFs | kSum | kMxr;
// UXL = SXL = 2: 64-bit, read-only.
inline constexpr std::uint64_t kResetValue = (2ull << 32) | (2ull << 34);
}  // namespace mstatus

namespace cause {
inline constexpr std::uint64_t kFetchMisaligned = 0, kFetchAccess = 1, kIllegal = 2, kBreakpoint = 3,
                               kLoadMisaligned = 4, kLoadAccess = 5, kStoreMisaligned = 6, kStoreAccess = 7,
                               kEcallU = 8, kEcallS = 9, kEcallM = 11, kFetchPage = 12, kLoadPage = 13,
                               kStorePage = 15;
}  // namespace cause

inline constexpr unsigned kPrivU = 0, kPrivS = 1, kPrivM = 3;

// Interrupt bits the software may write in mip, mie and mideleg.
inline constexpr std::uint64_t kMipSoftwareWritable = (1ull << 1) | (1ull << 5) | (1ull << 9);  // SSIP STIP SEIP
inline constexpr std::uint64_t kMieWritable = 0xaaa;
inline constexpr std::uint64_t kMidelegWritable = (1ull << 1) | (1ull << 5) | (1ull << 9);
// Every exception cause except ecall-from-M can be delegated.
inline constexpr std::uint64_t kMedelegWritable = 0xb3ff;

// misa: RV64 with I M A F D C S U.
inline constexpr std::uint64_t kMisa = (2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 8) |
                                       (1u << 12) | (1u << 18) | (1u << 20);

}  // namespace ftvm::machine::cpu
