// placeholder until the tas subsystem lands
namespace ftvm::tas {}
