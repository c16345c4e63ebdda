// placeholder translation unit until the host runtime lands
namespace ftvm::host {}
