#pragma once
// An InputPort that logs every input at the machine's current count before
// passing it on, and takes a checkpoint when one is due. Wrapping the one
// input door is all recording needs: nothing else in the run loop changes.
#include "host/input_port.h"
#include "replay/recorder.h"

namespace ftvm::host {

class RecordingInputPort final : public InputPort {
 public:
  RecordingInputPort(InputPort& inner, replay::Recorder& recorder) : inner_(inner), recorder_(recorder) {}
  void apply(const machine::Input& in) override {
    recorder_.after_slice();  // a due checkpoint goes before this input, at the same count
    recorder_.input(in);
    inner_.apply(in);
  }

 private:
  InputPort& inner_;
  replay::Recorder& recorder_;
};

}  // namespace ftvm::host
