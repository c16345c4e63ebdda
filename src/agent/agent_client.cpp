#include "agent/agent_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "clone/tcp.h"
#include "machine/core/error.h"

namespace ftvm::agent {

namespace {

// A reply is one short line; anything longer is not our agent.
constexpr std::size_t kMaxReplyBytes = 64 * 1024;

void send_line(int fd, const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::send(fd, line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(std::string("sending to the agent: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

std::string read_line(int fd, std::chrono::milliseconds limit) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto pos = text.find('\n');
    if (pos != std::string::npos) return text.substr(0, pos);
    if (text.size() > kMaxReplyBytes) throw Error("the agent's reply is too long");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      throw Error("the agent did not answer in time");
    char buffer[4096];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("the agent closed the connection without an answer");
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

// A reply object with "ok": true; throws with the agent's reason otherwise.
nlohmann::json accepted_reply(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j["ok"].is_boolean())
    throw Error("the agent's answer is not a reply: " + line.substr(0, 200));
  if (!j["ok"].get<bool>()) {
    std::string why = j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "no reason";
    throw Error("the agent refused: " + why);
  }
  return j;
}

}  // namespace

StartedBackup parse_start_reply(const std::string& line) {
  nlohmann::json j = accepted_reply(line);
  if (!j.contains("pid") || !j["pid"].is_number_integer())
    throw Error("the agent's reply names no pid: " + line.substr(0, 200));
  StartedBackup s;
  s.pid = j["pid"].get<std::int64_t>();
  if (j.contains("log") && j["log"].is_string()) s.log = j["log"].get<std::string>();
  return s;
}

StartedBackup request_backup(const std::string& agent, const StartBackup& request, std::chrono::milliseconds limit) {
  disk::UniqueFd fd = clone::connect_tcp(agent, limit);
  send_line(fd.get(), encode_request(request) + "\n");
  return parse_start_reply(read_line(fd.get(), limit));
}

void stop_backup(const std::string& agent, std::int64_t pid, std::chrono::milliseconds limit) {
  disk::UniqueFd fd = clone::connect_tcp(agent, limit);
  send_line(fd.get(), encode_request(StopChild{pid}) + "\n");
  accepted_reply(read_line(fd.get(), limit));
}

}  // namespace ftvm::agent
