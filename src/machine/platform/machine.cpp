#include "machine/platform/machine.h"

#include <string>

#include "machine/core/error.h"
#include "machine/devices/virtio_block.h"
#include "machine/devices/virtio_net.h"
#include "machine/devices/virtio_rng.h"
#include "machine/platform/machine_impl.h"

namespace ftvm::machine {

namespace {

std::uint64_t mip_bit(HartLine line) {
  switch (line) {
    case HartLine::kMachineSoftware: return kMipMsip;
    case HartLine::kMachineTimer: return kMipMtip;
    case HartLine::kMachineExternal: return kMipMeip;
    case HartLine::kSupervisorExternal: return kMipSeip;
  }
  return 0;
}

// RAM must be whole pages and must not reach past the 64-bit address space.
std::uint64_t checked_ram_size(const MachineConfig& config) {
  if (config.ram_size == 0 || config.ram_size % kPageSize != 0)
    throw Error("RAM size must be a non-zero multiple of 4 KiB");
  if (config.ram_size > (1ull << 40)) throw Error("RAM size above 1 TiB is not supported");
  if (config.virtio.size() > layout::kVirtioMaxSlots)
    throw Error("at most " + std::to_string(layout::kVirtioMaxSlots) + " virtio devices are supported");
  return config.ram_size;
}

// The guest's network driver refuses a zero or multicast MAC address; say so
// here, where the configuration is still at hand.
void check_mac(const VirtioConfig& vc, std::size_t index) {
  bool zero = true;
  for (std::uint8_t b : vc.mac) zero = zero && b == 0;
  if (zero || (vc.mac[0] & 1))
    throw Error("virtio device " + std::to_string(index) + ": MAC address must be a non-zero unicast address");
}

}  // namespace

Machine::Impl::Impl(const MachineConfig& config)
    : config_(config),
      ram_(layout::kRamBase, checked_ram_size(config)),
      bus_(ram_),
      clock_(config.instret_per_tick),
      hart_(bus_, clock_),
      plic_(*this),
      clint_(clock_, *this),
      uart_(*this, plic_, layout::kUartIrq, kConsoleSlot),
      finisher_(*this, *this) {
  bus_.map(layout::kTestFinisher, TestFinisher::kWindowSize, finisher_);
  bus_.map(layout::kClint, layout::kClintSize, clint_);
  bus_.map(layout::kPlic, layout::kPlicSize, plic_);
  bus_.map(layout::kUart, Uart16550::kWindowSize, uart_);
  hart_.set_engine(config.engine == ExecutionEngine::kInterpreter ? EngineKind::kInterpreter
                                                                   : EngineKind::kJit);
  create_virtio_devices();
  boot();
}

void Machine::Impl::create_virtio_devices() {
  for (std::size_t i = 0; i < config_.virtio.size(); ++i) {
    const VirtioConfig& vc = config_.virtio[i];
    auto irq = static_cast<unsigned>(layout::kVirtioIrqBase + i);
    std::uint32_t slot = virtio_slot(i);
    std::unique_ptr<VirtioMmio> dev;
    switch (vc.kind) {
      case VirtioKind::kBlock:
        dev = std::make_unique<VirtioBlock>(ram_, *this, plic_, irq, slot, vc.capacity_bytes, vc.read_only);
        break;
      case VirtioKind::kNet:
        check_mac(vc, i);
        dev = std::make_unique<VirtioNet>(ram_, *this, plic_, irq, slot, vc.mac);
        break;
      case VirtioKind::kRng: dev = std::make_unique<VirtioRng>(ram_, *this, plic_, irq, slot); break;
    }
    if (!dev) throw Error("virtio device " + std::to_string(i) + " has an unknown kind");
    bus_.map(layout::kVirtioBase + i * layout::kVirtioStride, VirtioMmio::kWindowSize, *dev);
    virtio_.push_back(std::move(dev));
  }
}

void Machine::Impl::boot() {
  boot_ = load_boot_images(ram_, config_);
  hart_.reset(boot_.entry);
  hart_.set_xreg(10, 0);  // a0: hart id
  hart_.set_xreg(11, boot_.dtb_addr);
  hart_.set_xreg(12, boot_.fw_info_addr);
}

void Machine::Impl::set_line(HartLine line, bool level) {
  if (line == HartLine::kMachineTimer) timer_line_ = level;
  hart_.set_interrupt_line(mip_bit(line), level);
}

void Machine::Impl::emit(Output out) {
  out.instret = hart_.instret();
  // Consecutive console bytes travel as one Output, stamped with the count of
  // the last byte so that holding it until then covers every byte in it.
  if (out.kind == OutputKind::kConsole && !outputs_.empty()) {
    Output& last = outputs_.back();
    if (last.kind == OutputKind::kConsole && last.device == out.device) {
      last.bytes.insert(last.bytes.end(), out.bytes.begin(), out.bytes.end());
      last.instret = out.instret;
      return;
    }
  }
  outputs_.push_back(std::move(out));
}

bool Machine::Impl::stop_reason(StopReason& why) const {
  // A reset request never survives to here: run_until() carries it out first.
  if (finisher_.state() == TestFinisher::State::kPowerOff) {
    why = StopReason::kPowerOff;
    return true;
  }
  // Console bytes ride along until a batch fills up (or the run stops for
  // another reason), so a chatty guest does not stop the run per character.
  // Where runs stop never changes what the guest does, so this is free to choose.
  for (const Output& o : outputs_) {
    if (o.kind != OutputKind::kConsole || o.bytes.size() >= kConsoleBatchBytes) {
      why = StopReason::kOutput;
      return true;
    }
  }
  return false;
}

Instret Machine::Impl::timer_horizon(Instret limit) const {
  Instret now = hart_.instret();
  std::uint64_t deadline = clint_.mtimecmp();
  // Once due, MTIP is already high and stays so: no reason to stop early.
  if (clock_.mtime(now) >= deadline) return limit;
  return std::min(limit, clock_.instret_at(deadline, now));
}

StopReason Machine::Impl::run_until(Instret limit) {
  StopReason why = StopReason::kLimit;
  for (;;) {
    // The finisher stopped the hart right after the guest's store, so the
    // reset happens at that count whatever limit the host chose. Its
    // Output{kReset} then stops this run (kOutput).
    if (reset_requested()) warm_reset();
    if (stop_reason(why)) return why;
    if (hart_.instret() >= limit) return StopReason::kLimit;
    clint_.update_timer_line();
    const Instret before = hart_.instret();
    switch (hart_.run(timer_horizon(limit))) {
      case HartStop::kLimit:
        break;  // the loop re-checks devices, outputs and the timer
      case HartStop::kEvent:
        // A guest trapping in a loop (say, mtvec pointing nowhere) retires
        // nothing; the hart gives up after a bounded number of traps. Like
        // WFI, only an input can change anything then, so report idle: the
        // host sleeps instead of spinning on a hung guest.
        if (hart_.instret() == before && !reset_requested() && !stop_reason(why)) return StopReason::kIdle;
        break;
      case HartStop::kWfi: {
        bool timer_was = timer_line_;
        clint_.update_timer_line();
        if (reset_requested()) break;  // the loop carries it out
        if (stop_reason(why)) return why;
        // The clock stands still while no instructions retire, so unless the
        // timer just came due, only an Input (a Time sample, a device event)
        // can wake the hart.
        if (timer_line_ == timer_was) return StopReason::kIdle;
        break;
      }
    }
  }
}

Device& Machine::Impl::device_for_slot(std::uint32_t slot) {
  if (slot == kConsoleSlot) return uart_;
  if (slot >= 1 && slot - 1 < virtio_.size()) return *virtio_[slot - 1];
  throw Error("input for device slot " + std::to_string(slot) + ", but the machine has no device in that slot");
}

void Machine::Impl::apply(const Input& in) {
  switch (in.kind) {
    case InputKind::kTime:
      clock_.sync(hart_.instret(), in.value);
      clint_.update_timer_line();
      return;
    case InputKind::kDeviceData:
    case InputKind::kCompletion:
      device_for_slot(in.device).apply_input(in);
      return;
    case InputKind::kIrq:
      if (in.device == 0 || in.device >= Plic::kSources)
        throw Error("interrupt input for PLIC source " + std::to_string(in.device) + ", which does not exist");
      plic_.set_irq(in.device, in.status != 0);
      return;
  }
  throw Error("input of unknown kind " + std::to_string(static_cast<unsigned>(in.kind)));
}

std::vector<Output> Machine::Impl::take_outputs() {
  std::vector<Output> taken;
  taken.swap(outputs_);
  return taken;
}

void Machine::Impl::reissue_in_flight() {
  for (auto& dev : virtio_) dev->reissue_in_flight();
}

std::size_t Machine::Impl::requests_in_flight() const {
  std::size_t n = 0;
  for (const auto& dev : virtio_) n += dev->requests_in_flight();
  return n;
}

std::uint64_t Machine::Impl::state_hash() const {
  StateHasher h;
  h.label("hart");
  hart_.hash_state(h);
  h.label("ram");
  h.bytes(ram_.data(), ram_.size());
  h.label("clock");
  h.value(clock_.base_mtime());
  h.value(clock_.base_instret());
  plic_.hash_state(h);
  clint_.hash_state(h);
  uart_.hash_state(h);
  finisher_.hash_state(h);
  for (const auto& dev : virtio_) dev->hash_state(h);
  h.label("outputs");
  h.value(static_cast<std::uint64_t>(outputs_.size()));
  return h.digest();
}

// ---- Machine: the public face ----

Machine::Machine(const MachineConfig& config) : impl_(std::make_unique<Impl>(config)) {}
Machine::~Machine() = default;
StopReason Machine::run_until(Instret limit) { return impl_->run_until(limit); }
Instret Machine::instret() const { return impl_->instret(); }
void Machine::apply(const Input& in) { impl_->apply(in); }
std::vector<Output> Machine::take_outputs() { return impl_->take_outputs(); }
void Machine::reissue_in_flight() { impl_->reissue_in_flight(); }
std::size_t Machine::requests_in_flight() const { return impl_->requests_in_flight(); }
std::uint64_t Machine::state_hash() const { return impl_->state_hash(); }
std::uint64_t Machine::mtime() const { return impl_->mtime(); }
std::uint64_t Machine::next_timer_deadline() const { return impl_->next_timer_deadline(); }
int Machine::exit_code() const { return impl_->exit_code(); }
std::uint64_t Machine::resets() const { return impl_->resets(); }
const MachineConfig& Machine::config() const { return impl_->config(); }

}  // namespace ftvm::machine
