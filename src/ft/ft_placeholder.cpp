// placeholder until the ft subsystem lands
namespace ftvm::ft {}
