#pragma once
// Shared by the clone tests: the guests, a deterministic host, and the
// sender's whole stream captured in memory.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "clone/clone_sender.h"
#include "machine/core/io.h"
#include "machine/core/machine_config.h"
#include "machine/platform/machine.h"

namespace ftvm::clone::testing {

inline machine::MachineConfig guest_config(const std::string& guest, std::uint64_t ram = 64ull << 20) {
  std::ifstream in(std::string(CLONE_GUEST_DIR) + "/" + guest + ".elf", std::ios::binary);
  machine::MachineConfig c;
  c.ram_size = ram;
  c.firmware.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return c;
}

// A host whose every action is a function of the machine's state: time a
// little ahead of the guest's clock, a console key every few slices, the
// timer's deadline when the guest idles. Two machines in the same state
// driven by two such hosts get the same inputs at the same counts.
struct ScriptedHost {
  std::string console;
  machine::StopReason last = machine::StopReason::kLimit;
  machine::Instret slice_length = 20'000;

  void slice(machine::Machine& m) {
    using machine::InputKind;
    const machine::Instret now = m.instret();
    m.apply({InputKind::kTime, 0, m.mtime() + 37, 0, {}});
    // A key now and then ('a'..'h': never the guests' 'q' for quit).
    const std::uint64_t n = now / 3001;  // not a divisor of the slice: busy guests get keys too
    if (n % 5 == 3) m.apply({InputKind::kDeviceData, machine::kConsoleSlot, 0, 0, {static_cast<std::uint8_t>('a' + n % 8)}});
    do {
      last = m.run_until(now + slice_length);
      for (machine::Output& o : m.take_outputs())
        if (o.kind == machine::OutputKind::kConsole) console.append(o.bytes.begin(), o.bytes.end());
    } while (last == machine::StopReason::kOutput);
    if (last == machine::StopReason::kIdle && m.next_timer_deadline() != UINT64_MAX)
      m.apply({InputKind::kTime, 0, m.next_timer_deadline(), 0, {}});
  }
};

// Drives a CloneSender to the end with `host` running the source between
// steps; returns every byte it would have sent.
inline std::vector<std::uint8_t> capture_clone(machine::Machine& source, ScriptedHost& host,
                                               const ClonePolicy& policy = {}) {
  CloneSender sender(source, policy);
  std::vector<std::uint8_t> stream;
  for (;;) {
    SenderChunk chunk = sender.next();
    stream.insert(stream.end(), chunk.bytes.begin(), chunk.bytes.end());
    if (chunk.pause_now) break;
    host.slice(source);
  }
  std::vector<std::uint8_t> last = sender.finish();
  stream.insert(stream.end(), last.begin(), last.end());
  return stream;
}

}  // namespace ftvm::clone::testing
