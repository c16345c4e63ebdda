// Request parsing and validation: only well-formed requests become a child's
// arguments, and those are exactly the flags `ftvm vm` takes.
#include "agent/agent_request.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "machine/core/error.h"

namespace ftvm::agent {
namespace {

const std::string kToml = R"([machine]\nmem = \"64M\"\n)";

std::string start_with(const std::string& extra) {
  return R"({"op":"start-backup","name":"web","generation":3,"config_toml":")" + kToml +
         R"(","listen":"127.0.0.1:7001","tas":"127.0.0.1:7000")" + extra + "}";
}

TEST(AgentRequest, StartBackupBecomesExactlyTheBackupCommand) {
  auto request = std::get<StartBackup>(parse_request(start_with("")));
  EXPECT_EQ(request.name, "web");
  EXPECT_EQ(request.generation, 3u);
  auto argv = backup_arguments(request, "/usr/bin/ftvm", "/state/web.toml");
  std::vector<std::string> expected = {"/usr/bin/ftvm", "vm", "--role", "backup", "--config", "/state/web.toml",
                                       "--name", "web", "--generation", "3", "--quiet", "--listen",
                                       "127.0.0.1:7001", "--tas", "127.0.0.1:7000"};
  EXPECT_EQ(argv, expected);
}

TEST(AgentRequest, EtcdAndCloneAddressesArePassedOn) {
  std::string line = R"({"op":"start-backup","name":"db.1","generation":0,"config_toml":")" + kToml +
                     R"(","peer":"primary:7001","tas_etcd":["e1:2379","e2:2379"],"from_clone":"0.0.0.0:7002"})";
  auto argv = backup_arguments(std::get<StartBackup>(parse_request(line)), "/f", "/c");
  auto has = [&argv](const std::string& flag, const std::string& value) {
    for (std::size_t i = 0; i + 1 < argv.size(); ++i)
      if (argv[i] == flag && argv[i + 1] == value) return true;
    return false;
  };
  EXPECT_TRUE(has("--peer", "primary:7001"));
  EXPECT_TRUE(has("--tas-etcd", "e1:2379,e2:2379"));
  EXPECT_TRUE(has("--from-clone", "0.0.0.0:7002"));
}

TEST(AgentRequest, ListAndStop) {
  EXPECT_TRUE(std::holds_alternative<ListChildren>(parse_request(R"({"op":"list"})")));
  EXPECT_EQ(std::get<StopChild>(parse_request(R"({"op":"stop","pid":42})")).pid, 42);
}

TEST(AgentRequest, HostileOrBrokenRequestsAreRefusedWithAReason) {
  struct Case {
    std::string line, reason;
  } cases[] = {
      {"not json", "JSON"},
      {"[1,2]", "JSON"},
      {R"({"op":"rm -rf /"})", "unknown op"},
      {R"({"op":"list","cmd":"sh"})", "unknown field 'cmd'"},
      {R"({"op":"stop","pid":-1})", "pid"},
      {R"({"op":"stop","pid":"1"})", "pid"},
      {start_with(R"(,"extra_args":["--evil"])"), "unknown field 'extra_args'"},
      {R"({"op":"start-backup","name":"--help","generation":1})", "name"},
      {R"({"op":"start-backup","name":"a b;c","generation":1})", "name"},
      {R"({"op":"start-backup","name":"../x","generation":1})", "name"},
      {R"({"op":"start-backup","name":"web","generation":-2})", "generation"},
      {R"({"op":"start-backup","name":"web","generation":1,"config":"rel/vm.toml","listen":"a:1","tas":"b:2"})",
       "absolute"},
      {R"({"op":"start-backup","name":"web","generation":1,"config":"/nonexistent/vm.toml","listen":"a:1","tas":"b:2"})",
       "nonexistent"},
      {R"({"op":"start-backup","name":"web","generation":1,"config_toml":"[machine]\nbogus = 1\n","listen":"a:1","tas":"b:2"})",
       "bogus"},
      {start_with(R"(,"peer":"x:1")"), "exactly one of 'listen' and 'peer'"},
      {R"({"op":"start-backup","name":"web","generation":1,"config_toml":")" + kToml +
           R"(","listen":"--tas=evil:1","tas":"b:2"})",
       "listen"},
      {R"({"op":"start-backup","name":"web","generation":1,"config_toml":")" + kToml +
           R"(","listen":"a:99999","tas":"b:2"})",
       "port"},
      {R"({"op":"start-backup","name":"web","generation":1,"config_toml":")" + kToml + R"(","listen":"a:1"})",
       "exactly one of 'tas' and 'tas_etcd'"},
  };
  for (const Case& c : cases) {
    try {
      parse_request(c.line);
      ADD_FAILURE() << "accepted: " << c.line;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.reason), std::string::npos) << c.line << " -> " << e.what();
    }
  }
}

}  // namespace
}  // namespace ftvm::agent
