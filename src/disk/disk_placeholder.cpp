// placeholder until the disk subsystem lands
namespace ftvm::disk {}
