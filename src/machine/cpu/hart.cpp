// Hart's public API: a thin forwarder to the engine.
#include "machine/cpu/hart.h"

#include "machine/cpu/engine.h"

namespace ftvm::machine {

Hart::Hart(Bus& bus, const VirtualClock& clock) : engine_(std::make_unique<Engine>(bus, clock)) {}
Hart::~Hart() = default;

void Hart::reset(std::uint64_t pc) { engine_->reset(pc); }
HartStop Hart::run(Instret limit) { return engine_->run(limit); }
Instret Hart::instret() const { return engine_->instret; }
void Hart::set_interrupt_line(std::uint64_t mip_bit, bool level) { engine_->set_interrupt_line(mip_bit, level); }
void Hart::request_stop() { engine_->request_stop(); }
std::uint64_t Hart::pc() const { return engine_->pc; }
void Hart::set_pc(std::uint64_t pc) { engine_->pc = pc; }
std::uint64_t Hart::xreg(unsigned i) const { return i < 32 ? engine_->x[i] : 0; }
void Hart::set_xreg(unsigned i, std::uint64_t v) {
  if (i > 0 && i < 32) engine_->x[i] = v;
}
std::uint64_t Hart::freg(unsigned i) const { return i < 32 ? engine_->f[i] : 0; }
std::uint64_t Hart::csr(unsigned num) const { return engine_->csr_peek(num); }
unsigned Hart::privilege() const { return engine_->priv; }
bool Hart::waiting_for_interrupt() const { return engine_->wfi; }
void Hart::set_engine(EngineKind kind) { engine_->set_engine(kind); }
EngineKind Hart::engine() const { return engine_->engine_kind(); }
void Hart::flush_caches() { engine_->flush_caches(); }
void Hart::hash_state(StateHasher& h) const { engine_->hash_state(h); }

}  // namespace ftvm::machine
