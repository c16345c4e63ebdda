// devices placeholder
namespace ftvm::machine {}
