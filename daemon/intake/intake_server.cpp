// The LMTP/SMTP listeners and their sessions on Boost.Asio (intake_server.h).
#include "intake_server.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "audit_log.h"
#include "durable_file.h"
#include "exception_text.h"
#include "message_header.h"

namespace csirtgw {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Shared by a session coroutine and its timer handler (which may outlive it).
struct IntakeServer::ConnectionState {
  explicit ConnectionState(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  Clock::time_point idle_end;
  Clock::time_point session_end;
  Clock::time_point stop_at = Clock::time_point::max();
  std::function<void()> cancel_io;
  bool idle = true;        // between transactions: may be stopped at once
  bool expired = false;    // the timer cancelled the session's I/O
  bool stopping = false;   // expired because of shutdown, not a timeout
  bool finished = false;

  Clock::time_point deadline() const { return std::min({idle_end, session_end, stop_at}); }
};

namespace {

void arm_timer(const std::shared_ptr<IntakeServer::ConnectionState>& state) {
  state->timer.expires_at(state->deadline());
  state->timer.async_wait([state](const boost::system::error_code&) {
    if (state->finished) return;
    if (Clock::now() >= state->deadline()) {
      state->expired = true;
      state->stopping = Clock::now() >= state->stop_at;
      if (state->cancel_io) state->cancel_io();
      return;
    }
    arm_timer(state);  // woken early (activity moved the deadline): sleep again
  });
}

std::string peer_name(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}
std::string peer_name(const asio::local::stream_protocol::socket&) { return "unix"; }

// The message of one DATA phase on its way into the spool. A file that cannot
// be created or written is remembered, not thrown: the session keeps reading
// and the end of data gets 451.
class IncomingMessage {
 public:
  void begin(const SpoolDirectory& spool, const std::string& session_id) {
    auto file = SpoolFile::create(spool);
    if (file) {
      file_.emplace(std::move(file.value()));
    } else {
      spdlog::get("intake")->error("[{}] cannot create spool file: {}", session_id, file.error().message);
      failed_ = true;
    }
  }
  void append(std::string_view body, const std::string& session_id) {
    if (body.empty() || !file_ || failed_) return;
    if (auto st = file_->append(body); !st) {
      spdlog::get("intake")->error("[{}] spool write failed: {}", session_id, st.error().message);
      failed_ = true;
    }
  }
  void drop() {
    file_.reset();
    failed_ = false;
  }
  bool complete() const { return file_ && !failed_; }
  // complete() only: the spool file and what the store records about it.
  std::pair<SpoolFile, ReceivedMessage> take(const ProtocolSession& session, Protocol protocol, const std::string& peer) {
    ReceivedMessage message;
    message.spool_id = file_->id();
    message.received_at = utc_timestamp_now();
    message.protocol = protocol == Protocol::lmtp ? "lmtp" : "smtp";
    message.peer = peer;
    message.envelope = session.envelope();
    message.message_id = header_value(session.header_block(), "Message-ID").value_or("");
    message.sha256 = file_->content_hash();
    message.size = file_->size();
    std::pair<SpoolFile, ReceivedMessage> taken{std::move(*file_), std::move(message)};
    drop();
    return taken;
  }

 private:
  std::optional<SpoolFile> file_;
  bool failed_ = false;
};

}  // namespace

// Runs one connection from greeting to close. Static members: a coroutine must
// not keep a pointer to a temporary runner object.
struct SessionRunner {
  template <typename Socket>
  static asio::awaitable<void> run(IntakeServer& server, Socket socket, Protocol protocol, std::string session_id) {
    auto log = spdlog::get("intake");
    const std::string peer = peer_name(socket);
    auto state = std::make_shared<IntakeServer::ConnectionState>(socket.get_executor());
    const auto now = Clock::now();
    state->idle_end = now + std::chrono::seconds(server.config_.idle_timeout);
    state->session_end = now + std::chrono::seconds(server.config_.session_deadline);
    state->cancel_io = [&socket] {
      boost::system::error_code ignored;
      socket.cancel(ignored);
    };
    auto registered = server.connections_.insert(server.connections_.end(), state);
    arm_timer(state);
    log->info("[{}] connect from {} ({})", session_id, peer, protocol == Protocol::lmtp ? "lmtp" : "smtp");

    try {
      co_await converse(server, socket, protocol, session_id, peer, *state);
    } catch (...) {
      // A session's failure ends that session only; its text is not logged
      // (it may carry peer bytes), its class is.
      log->error("[{}] session aborted: {}", session_id, exception_class(std::current_exception()));
    }

    state->finished = true;
    state->cancel_io = nullptr;
    state->timer.cancel();
    server.connections_.erase(registered);
    boost::system::error_code ignored;
    socket.shutdown(Socket::shutdown_both, ignored);
    socket.close(ignored);
    log->info("[{}] disconnect", session_id);
  }

  template <typename Socket>
  static asio::awaitable<void> converse(IntakeServer& server, Socket& socket, Protocol protocol,
                                        const std::string& session_id, const std::string& peer,
                                        IntakeServer::ConnectionState& state) {
    const Config& config = server.config_;
    Conversation<Socket> conversation{
        server, socket, protocol, session_id, peer, state,
        ProtocolSession(
            protocol, server.limits_,
            [&config](std::string_view address) -> std::optional<std::string> {
              if (const Intake* intake = config.intake_for(address)) return intake->name;
              return std::nullopt;
            },
            config.hostname)};
    co_await conversation.run();
  }

  // One connection's protocol state and the message in its DATA phase; lives in
  // converse()'s frame, so its member coroutines never outlive it.
  template <typename Socket>
  struct Conversation {
    IntakeServer& server;
    Socket& socket;
    Protocol protocol;
    const std::string& session_id;
    const std::string& peer;
    IntakeServer::ConnectionState& state;
    ProtocolSession session;
    IncomingMessage incoming{};
    std::string out{};
    std::string body{};
    boost::system::error_code ec{};

    asio::awaitable<void> run() {
      out = session.greeting();
      co_await asio::async_write(socket, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      // Not zero-filled: an idle connection touches only the bytes it receives.
      constexpr std::size_t kReadSize = 64 * 1024;
      auto buffer = std::make_unique_for_overwrite<char[]>(kReadSize);
      while (true) {
        if (server.stopping_ && !session.in_data() && state.idle) {
          final_words(session.shutdown_reply());
          co_return;
        }
        const std::size_t n = co_await socket.async_read_some(asio::buffer(buffer.get(), kReadSize),
                                                              asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          if (state.expired) {
            spdlog::get("intake")->info("[{}] {}", session_id, state.stopping ? "closing for shutdown" : "timeout");
            final_words(state.stopping ? session.shutdown_reply() : session.timeout_reply());
          }
          co_return;
        }
        state.idle_end = Clock::now() + std::chrono::seconds(server.config_.idle_timeout);
        out.clear();
        if (!co_await handle_input(std::string_view(buffer.get(), n))) co_return;
        if (!out.empty()) {
          // PIPELINING: the replies of everything read so far go out together.
          co_await asio::async_write(socket, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
        }
      }
    }

    // Feeds what was read to the session, acting on each event; false once the
    // session has closed (its last replies written).
    asio::awaitable<bool> handle_input(std::string_view input) {
      while (!input.empty()) {
        body.clear();
        const auto step = session.feed(input, out, body);
        input.remove_prefix(step.consumed);
        incoming.append(body, session_id);
        switch (step.event) {
          case SessionEvent::none:
            break;
          case SessionEvent::data_started:
            state.idle = false;
            incoming.begin(server.spool_, session_id);
            break;
          case SessionEvent::message_rejected:
            incoming.drop();
            state.idle = true;
            break;
          case SessionEvent::message_complete:
            co_await store_message();
            break;
          case SessionEvent::close:
            incoming.drop();
            co_await asio::async_write(socket, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
            co_return false;
        }
      }
      co_return true;
    }

    // The end of data: the group committer answers once the message is on disk.
    asio::awaitable<void> store_message() {
      CommitOutcome outcome{StoreOutcome::temporary_failure, ""};
      if (incoming.complete()) {
        auto [file, message] = incoming.take(session, protocol, peer);
        outcome = co_await async_commit(server.committer_, std::move(file), std::move(message), asio::use_awaitable);
      }
      incoming.drop();
      state.idle = true;
      session.message_stored(outcome.outcome, outcome.spool_id, out);
    }

    void final_words(const std::string& reply) {
      // Best effort and never blocking: the client may not be reading at all.
      boost::system::error_code ignored;
      socket.non_blocking(true, ignored);
      asio::write(socket, asio::buffer(reply), ignored);
    }
  };
};

IntakeServer::IntakeServer(asio::io_context& io, const Config& config, IntakeCommitter& committer,
                           SpoolDirectory spool)
    : io_(io), config_(config), committer_(committer), spool_(std::move(spool)) {
  limits_.command_line = static_cast<std::size_t>(config.command_line);
  limits_.text_line = static_cast<std::size_t>(config.text_line);
  limits_.header_block = static_cast<std::size_t>(config.header_block);
  limits_.message_size = static_cast<std::size_t>(config.message_size);
  limits_.recipients = static_cast<std::size_t>(config.recipients);
  limits_.bad_commands = static_cast<std::size_t>(config.bad_commands);
}

IntakeServer::~IntakeServer() {
  for (const auto& path : unix_paths_) ::unlink(path.c_str());
}

Result<std::string> IntakeServer::listen(Protocol protocol, const std::string& address) {
  try {
    if (address.rfind("unix:", 0) == 0) {
      const std::string path = address.substr(5);
      struct stat st {};
      // A stale socket from an earlier run is replaced; any other file is not.
      if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return Error::bad_input(path + " exists and is not a socket");
        ::unlink(path.c_str());
      }
      auto acceptor = std::make_unique<asio::local::stream_protocol::acceptor>(
          io_, asio::local::stream_protocol::endpoint(path));
      // Connecting needs write access. The MTA runs as another user, and
      // Postfix keeps no supplementary groups (set_ugid: setgroups(1, &gid)),
      // so the socket is given to its group rather than opened to everyone.
      if (::chmod(path.c_str(), 0660) != 0) return errno_error("chmod " + path, errno);
      if (!config_.socket_group.empty()) {
        const group* gr = ::getgrnam(config_.socket_group.c_str());
        if (!gr) return Error::bad_input("listen.socket_group: no such group " + config_.socket_group);
        if (::chown(path.c_str(), static_cast<uid_t>(-1), gr->gr_gid) != 0)
          return errno_error("giving " + path + " to group " + config_.socket_group +
                                 " (is the daemon's user a member?)", errno);
      }
      unix_paths_.push_back(path);
      unix_acceptors_.emplace_back(std::move(acceptor), protocol);
      return address;
    }
    const auto colon = address.rfind(':');
    std::string host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const auto port = static_cast<unsigned short>(std::stoul(address.substr(colon + 1)));
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host), port);
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_, endpoint, /*reuse_address=*/true);
    auto bound = acceptor->local_endpoint();
    tcp_acceptors_.emplace_back(std::move(acceptor), protocol);
    const std::string bound_host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                            : bound.address().to_string();
    return bound_host + ":" + std::to_string(bound.port());
  } catch (const std::exception& e) {
    return Error::bad_input("cannot listen on " + address + ": " + e.what());
  }
}

template <typename Acceptor>
void IntakeServer::spawn_accept_loop(Acceptor& acceptor, Protocol protocol) {
  asio::co_spawn(
      io_,
      [this, &acceptor, protocol]() -> asio::awaitable<void> {
        auto log = spdlog::get("intake");
        while (acceptor.is_open()) {
          boost::system::error_code ec;
          auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) {
            if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
            log->warn("accept failed: {}", ec.message());
            asio::steady_timer pause(io_, std::chrono::milliseconds(100));  // e.g. out of descriptors
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
          }
          char id[16];
          std::snprintf(id, sizeof id, "s%06llx", static_cast<unsigned long long>(++session_counter_));
          if (connections_.size() >= static_cast<std::size_t>(config_.connections)) {
            log->warn("[{}] refused: {} connections open", id, connections_.size());
            ProtocolSession refusal(protocol, limits_, nullptr, config_.hostname);
            socket.non_blocking(true, ec);
            asio::write(socket, asio::buffer(refusal.too_many_connections_reply()), ec);
            continue;  // the socket closes as it goes out of scope
          }
          asio::co_spawn(io_, SessionRunner::run(*this, std::move(socket), protocol, std::string(id)),
                         [id = std::string(id)](std::exception_ptr error) {
                           if (error)
                             spdlog::get("intake")->critical("[{}] session ended with {}", id, exception_class(error));
                         });
        }
      },
      // Not asio::detached: an exception would leave io_context::run() and end
      // the daemon. A loop that fails is logged and started again.
      [this, &acceptor, protocol](std::exception_ptr error) {
        if (!error) return;
        spdlog::get("intake")->critical("accept loop ended with {}; restarting it", exception_class(error));
        if (acceptor.is_open() && !stopping_) spawn_accept_loop(acceptor, protocol);
      });
}

void IntakeServer::start() {
  for (auto& [acceptor, protocol] : tcp_acceptors_) spawn_accept_loop(*acceptor, protocol);
  for (auto& [acceptor, protocol] : unix_acceptors_) spawn_accept_loop(*acceptor, protocol);
}

void IntakeServer::shutdown() {
  stopping_ = true;
  boost::system::error_code ignored;
  for (auto& [acceptor, protocol] : tcp_acceptors_) acceptor->close(ignored);
  for (auto& [acceptor, protocol] : unix_acceptors_) acceptor->close(ignored);
  const auto now = Clock::now();
  const auto grace_end = now + std::chrono::seconds(config_.shutdown_grace);
  for (auto& state : connections_) {
    state->stop_at = state->idle ? now : grace_end;
    state->timer.cancel();  // the handler re-reads the deadline
  }
}

}  // namespace csirtgw
