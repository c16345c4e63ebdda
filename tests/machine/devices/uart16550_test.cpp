#include "machine/devices/uart16550.h"

#include <gtest/gtest.h>

#include "device_test_support.h"
#include "machine/core/error.h"

namespace ftvm::machine {
namespace {

using testing::IrqRecorder;
using testing::OutputCollector;

class UartTest : public ::testing::Test {
 protected:
  std::uint8_t r(std::uint64_t reg) { return static_cast<std::uint8_t>(uart.mmio_read(reg, 1)); }
  void w(std::uint64_t reg, std::uint8_t v) { uart.mmio_write(reg, 1, v); }
  void type(std::vector<std::uint8_t> bytes) {
    Input in;
    in.kind = InputKind::kDeviceData;
    in.device = 0;
    in.bytes = std::move(bytes);
    uart.apply_input(in);
  }
  OutputCollector out;
  IrqRecorder irq;
  Uart16550 uart{out, irq, 10, 0};
};

TEST_F(UartTest, TransmitBecomesConsoleOutput) {
  w(Uart16550::kRbrThr, 'h');
  w(Uart16550::kRbrThr, 'i');
  ASSERT_EQ(out.outputs.size(), 2u);
  EXPECT_EQ(out.outputs[0].kind, OutputKind::kConsole);
  EXPECT_EQ(out.outputs[0].bytes, std::vector<std::uint8_t>{'h'});
  EXPECT_EQ(out.outputs[1].bytes, std::vector<std::uint8_t>{'i'});
  EXPECT_EQ(r(Uart16550::kLsr) & 0x60, 0x60);  // THR and transmitter empty
}

TEST_F(UartTest, ReceiveFifoAndDataReady) {
  EXPECT_EQ(r(Uart16550::kLsr) & Uart16550::kLsrDr, 0);
  type({'a', 'b'});
  EXPECT_EQ(r(Uart16550::kLsr) & Uart16550::kLsrDr, Uart16550::kLsrDr);
  EXPECT_EQ(r(Uart16550::kRbrThr), 'a');
  EXPECT_EQ(r(Uart16550::kRbrThr), 'b');
  EXPECT_EQ(r(Uart16550::kLsr) & Uart16550::kLsrDr, 0);
}

TEST_F(UartTest, RxInterruptFollowsDataAndEnable) {
  type({'x'});
  EXPECT_FALSE(irq.level(10));  // not enabled yet
  EXPECT_EQ(r(Uart16550::kIirFcr) & 0x0f, Uart16550::kIirNone);
  w(Uart16550::kIer, Uart16550::kIerRda);
  EXPECT_TRUE(irq.level(10));
  EXPECT_EQ(r(Uart16550::kIirFcr) & 0x0f, Uart16550::kIirRda);
  r(Uart16550::kRbrThr);
  EXPECT_FALSE(irq.level(10));
}

TEST_F(UartTest, ThreInterruptAcknowledgedByIirReadAndRearmedByWrite) {
  w(Uart16550::kIer, Uart16550::kIerThre);
  EXPECT_TRUE(irq.level(10));
  EXPECT_EQ(r(Uart16550::kIirFcr) & 0x0f, Uart16550::kIirThre);
  EXPECT_FALSE(irq.level(10));
  EXPECT_EQ(r(Uart16550::kIirFcr) & 0x0f, Uart16550::kIirNone);
  w(Uart16550::kRbrThr, 'z');
  EXPECT_TRUE(irq.level(10));
}

TEST_F(UartTest, RxOverflowDropsDeterministicallyAndFlagsOverrun) {
  std::vector<std::uint8_t> many(Uart16550::kRxCapacity + 5);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<std::uint8_t>(i);
  type(many);
  EXPECT_EQ(uart.rx_queued(), Uart16550::kRxCapacity);
  EXPECT_EQ(r(Uart16550::kLsr) & Uart16550::kLsrOe, Uart16550::kLsrOe);
  EXPECT_EQ(r(Uart16550::kLsr) & Uart16550::kLsrOe, 0);  // cleared by the read
  EXPECT_EQ(r(Uart16550::kRbrThr), 0);                    // the oldest bytes were kept
  EXPECT_EQ(r(Uart16550::kRbrThr), 1);
}

TEST_F(UartTest, DivisorLatchAndScratch) {
  w(Uart16550::kLcr, Uart16550::kLcrDlab | 0x03);
  w(Uart16550::kRbrThr, 0x12);
  w(Uart16550::kIer, 0x34);
  EXPECT_EQ(r(Uart16550::kRbrThr), 0x12);
  EXPECT_EQ(r(Uart16550::kIer), 0x34);
  EXPECT_TRUE(out.outputs.empty());  // divisor writes are not characters
  w(Uart16550::kLcr, 0x03);
  EXPECT_EQ(r(Uart16550::kIer), 0);
  w(Uart16550::kScr, 0x5a);
  EXPECT_EQ(r(Uart16550::kScr), 0x5a);
  EXPECT_EQ(r(Uart16550::kLcr), 0x03);
}

TEST_F(UartTest, FifoEnableShowsInIirAndLoopbackEchoes) {
  w(Uart16550::kIirFcr, 0x07);
  EXPECT_EQ(r(Uart16550::kIirFcr) & 0xc0, 0xc0);
  w(Uart16550::kMcr, Uart16550::kMcrLoop | 0x0b);
  EXPECT_EQ(r(Uart16550::kMsr) & 0xf0, 0xb0);
  w(Uart16550::kRbrThr, 'q');
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(r(Uart16550::kRbrThr), 'q');
}

}  // namespace
}  // namespace ftvm::machine

namespace ftvm::machine {
namespace {

TEST(UartInputs, CompletionsAreRejected) {
  testing::OutputCollector out;
  testing::IrqRecorder irq;
  Uart16550 uart{out, irq, 10, 0};
  Input in;
  in.kind = InputKind::kCompletion;
  in.bytes = {'a'};
  EXPECT_THROW(uart.apply_input(in), Error);
  EXPECT_EQ(uart.rx_queued(), 0u);
}

}  // namespace
}  // namespace ftvm::machine
