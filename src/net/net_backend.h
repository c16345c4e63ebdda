#pragma once
// Where one virtual NIC's frames go on the host. send() is called on the
// vCPU thread and never blocks (a frame that cannot go now is dropped, as on
// a congested link); received frames wait in a queue the run loop drains,
// and wake_fd() is readable while any are waiting.
#include <string>
#include <vector>

#include "net/ethernet_frame.h"
#include "net/frame_stream.h"

namespace ftvm::net {

class NetBackend {
 public:
  virtual ~NetBackend() = default;
  virtual std::string describe() const = 0;
  virtual void send(FrameView frame) = 0;
  virtual std::vector<Frame> take_frames() = 0;
  virtual int wake_fd() const = 0;
};

}  // namespace ftvm::net
