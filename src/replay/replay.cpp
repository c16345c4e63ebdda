// placeholder translation unit until the log codec lands
namespace ftvm::replay {}
