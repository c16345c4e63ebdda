// Temporary stub so the library links until the engine lands. Replaced by the
// real implementation in src/machine/cpu/.
#include "machine/cpu/hart.h"
#include "machine/core/error.h"

namespace ftvm::machine {
class Hart::Engine {};
Hart::Hart(Bus&, const VirtualClock&) { throw Error("hart not implemented yet"); }
Hart::~Hart() = default;
void Hart::reset(std::uint64_t) {}
HartStop Hart::run(Instret) { return HartStop::kLimit; }
Instret Hart::instret() const { return 0; }
void Hart::set_interrupt_line(std::uint64_t, bool) {}
void Hart::request_stop() {}
std::uint64_t Hart::pc() const { return 0; }
void Hart::set_pc(std::uint64_t) {}
std::uint64_t Hart::xreg(unsigned) const { return 0; }
void Hart::set_xreg(unsigned, std::uint64_t) {}
std::uint64_t Hart::freg(unsigned) const { return 0; }
std::uint64_t Hart::csr(unsigned) const { return 0; }
unsigned Hart::privilege() const { return 3; }
bool Hart::waiting_for_interrupt() const { return false; }
void Hart::flush_caches() {}
void Hart::hash_state(StateHasher&) const {}
}  // namespace ftvm::machine
