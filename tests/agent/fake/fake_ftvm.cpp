// A stand-in for `ftvm` in the agent tests: writes its arguments, one per
// line, to $FAKE_FTVM_ARGS_DIR/<pid>.args, says so on stdout (the agent's
// log file), then waits for a signal. A VM named "exit-now" exits 3 at once.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  const char* dir = std::getenv("FAKE_FTVM_ARGS_DIR");
  if (dir != nullptr) {
    const std::string path = std::string(dir) + "/" + std::to_string(::getpid()) + ".args";
    const std::string tmp = path + ".tmp";
    if (FILE* f = std::fopen(tmp.c_str(), "w")) {
      for (int i = 0; i < argc; ++i) std::fprintf(f, "%s\n", argv[i]);
      std::fclose(f);
      std::rename(tmp.c_str(), path.c_str());  // appears whole
    }
  }
  std::printf("fake ftvm %d up\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "exit-now") == 0) return 3;
  for (;;) ::pause();  // SIGTERM's default action ends us
}
