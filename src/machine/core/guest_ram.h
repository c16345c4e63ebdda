#pragma once
// Guest physical RAM: one host mapping, and the only way anything in the VMM
// touches guest memory. Every accessor is bounds-checked against [base, base+size);
// nothing outside that range is ever read or written, whatever the guest asks.
//
// Two page bitmaps ride along:
//  - code pages: pages a decode cache has decoded instructions from. A write to
//    one (by the CPU slow path or by device DMA) calls the code-write hook so
//    the decode cache drops what it decoded there. Guests never see stale code.
//  - dirty pages: optional tracking for live cloning (iterative pre-copy).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace ftvm::machine {

inline constexpr std::uint64_t kPageShift = 12;
inline constexpr std::uint64_t kPageSize = 1ull << kPageShift;

class GuestRam {
 public:
  GuestRam(std::uint64_t base, std::uint64_t size);
  ~GuestRam();
  GuestRam(const GuestRam&) = delete;
  GuestRam& operator=(const GuestRam&) = delete;

  std::uint64_t base() const { return base_; }
  std::uint64_t size() const { return size_; }
  std::uint64_t page_count() const { return size_ >> kPageShift; }

  // True when [gpa, gpa+len) lies wholly inside RAM (overflow-safe).
  bool contains(std::uint64_t gpa, std::uint64_t len) const {
    return gpa >= base_ && len <= size_ && gpa - base_ <= size_ - len;
  }
  // Host pointer for [gpa, gpa+len), or nullptr when any byte is outside RAM.
  // Writers through this pointer must call note_write() themselves.
  std::uint8_t* host_ptr(std::uint64_t gpa, std::uint64_t len) {
    return contains(gpa, len) ? mem_ + (gpa - base_) : nullptr;
  }
  const std::uint8_t* host_ptr(std::uint64_t gpa, std::uint64_t len) const {
    return contains(gpa, len) ? mem_ + (gpa - base_) : nullptr;
  }
  std::uint8_t* data() { return mem_; }
  const std::uint8_t* data() const { return mem_; }

  // Bounds-checked copies; false (and nothing touched) when out of range.
  bool read(std::uint64_t gpa, void* dst, std::size_t len) const;
  bool write(std::uint64_t gpa, const void* src, std::size_t len);

  // Records a write to [gpa, gpa+len) made through host_ptr(): marks pages
  // dirty and invalidates decoded code. Callers check bounds first.
  void note_write(std::uint64_t gpa, std::uint64_t len) {
    std::uint64_t first = (gpa - base_) >> kPageShift;
    std::uint64_t last = (gpa - base_ + (len ? len - 1 : 0)) >> kPageShift;
    for (std::uint64_t p = first; p <= last; ++p) {
      if (track_dirty_) dirty_[p] = 1;
      if (code_[p]) code_page_written(p);
    }
  }

  // Code-page tracking (decode-cache coherence).
  void mark_code_page(std::uint64_t page_index) { code_[page_index] = 1; }
  void clear_code_page(std::uint64_t page_index) { code_[page_index] = 0; }
  bool is_code_page(std::uint64_t page_index) const { return code_[page_index] != 0; }
  void clear_all_code_pages();
  // Called with the page index when a code page is written; the hook usually
  // drops decoded blocks and calls clear_code_page().
  void set_code_write_hook(std::function<void(std::uint64_t page_index)> hook) {
    code_write_hook_ = std::move(hook);
  }

  // Dirty-page tracking (live clone). Off by default.
  void set_dirty_tracking(bool on);
  bool dirty_tracking() const { return track_dirty_; }
  // Returns the dirty page indices and clears the set.
  std::vector<std::uint64_t> take_dirty_pages();

 private:
  void code_page_written(std::uint64_t page_index);

  std::uint64_t base_;
  std::uint64_t size_;
  std::uint8_t* mem_ = nullptr;
  std::vector<std::uint8_t> code_;
  std::vector<std::uint8_t> dirty_;
  bool track_dirty_ = false;
  std::function<void(std::uint64_t)> code_write_hook_;
};

}  // namespace ftvm::machine
