#include "agent/host_agent.h"

#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "machine/core/error.h"

namespace ftvm::agent {

namespace {

using nlohmann::json;

std::string failure(const std::string& why) { return json{{"ok", false}, {"error", why}}.dump(); }

// Finished children are kept for `list` until there are this many.
constexpr std::size_t kMaxRemembered = 64;

}  // namespace

HostAgent::HostAgent(std::string ftvm_path, std::filesystem::path state_dir)
    : ftvm_path_(std::move(ftvm_path)), state_dir_(std::move(state_dir)) {
  if (ftvm_path_.empty() || ftvm_path_[0] != '/' || ::access(ftvm_path_.c_str(), X_OK) != 0)
    throw Error("--ftvm '" + ftvm_path_ + "': must be the absolute path of an executable");
  std::error_code ec;
  std::filesystem::create_directories(state_dir_, ec);
  if (ec || !std::filesystem::is_directory(state_dir_))
    throw Error("state directory " + state_dir_.string() + ": cannot create it");
}

std::string HostAgent::handle_line(const std::string& line) {
  reap();
  try {
    AgentRequest request = parse_request(line);
    if (const auto* s = std::get_if<StartBackup>(&request)) return start(*s);
    if (std::holds_alternative<ListChildren>(request)) return list();
    return stop(std::get<StopChild>(request).pid);
  } catch (const std::exception& e) {
    return failure(e.what());
  }
}

std::string HostAgent::start(const StartBackup& request) {
  const std::string stem = request.name + "-" + std::to_string(request.generation) + "-" + std::to_string(++started_);
  std::string config = request.config_path;
  if (!request.config_toml.empty()) {
    const std::filesystem::path file = state_dir_ / (stem + ".toml");
    std::ofstream out(file, std::ios::trunc);
    out << request.config_toml;
    if (!out.flush()) return failure("cannot write " + file.string());
    config = file.string();
  }
  Child child;
  child.name = request.name;
  child.generation = request.generation;
  child.log = state_dir_ / (stem + ".log");
  child.process = std::make_unique<ChildProcess>(backup_arguments(request, ftvm_path_, config), child.log.string());
  const pid_t pid = child.process->pid();
  children_.push_back(std::move(child));
  return json{{"ok", true}, {"pid", pid}, {"log", children_.back().log.string()}}.dump();
}

std::string HostAgent::list() {
  json all = json::array();
  for (const Child& c : children_)
    all.push_back({{"pid", c.process->pid()},
                   {"name", c.name},
                   {"generation", c.generation},
                   {"state", c.process->describe()},
                   {"log", c.log.string()}});
  return json{{"ok", true}, {"children", all}}.dump();
}

std::string HostAgent::stop(std::int64_t pid) {
  for (Child& c : children_) {
    if (c.process->pid() != pid) continue;
    if (!c.process->running()) return failure("child " + std::to_string(pid) + " has " + c.process->describe());
    c.process->terminate();
    return json{{"ok", true}, {"pid", pid}}.dump();
  }
  // Only our own children: the agent never signals a process it did not start.
  return failure("no child with pid " + std::to_string(pid));
}

void HostAgent::reap() {
  for (Child& c : children_) c.process->poll();
  // Forget the oldest finished children beyond the bound.
  while (children_.size() > kMaxRemembered) {
    auto finished = std::find_if(children_.begin(), children_.end(), [](const Child& c) { return !c.process->running(); });
    if (finished == children_.end()) break;
    children_.erase(finished);
  }
}

std::size_t HostAgent::running_children() {
  reap();
  return static_cast<std::size_t>(
      std::count_if(children_.begin(), children_.end(), [](const Child& c) { return c.process->running(); }));
}

}  // namespace ftvm::agent
