// placeholder until the net subsystem lands
namespace ftvm::net {}
