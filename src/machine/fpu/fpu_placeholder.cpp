// placeholder until the FPU lands
namespace ftvm::machine::fpu {}
