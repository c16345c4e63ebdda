// platform placeholder
namespace ftvm::machine {}
