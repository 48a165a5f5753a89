// The LMTP/SMTP listeners on Boost.Asio C++20 coroutines: one coroutine per
// connection. This layer only moves bytes, keeps time and hands finished
// messages to the IntakeCommitter; the protocol itself is ProtocolSession.
// It enforces the connection limit, the per-command idle timeout and the total
// session deadline, and on shutdown lets sessions finish (up to a grace period)
// before answering 421.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "config.h"
#include "intake_committer.h"
#include "protocol_session.h"
#include "result.h"
#include "spool.h"

namespace csirtgw {

class IntakeServer {
 public:
  IntakeServer(boost::asio::io_context& io, const Config& config, IntakeCommitter& committer,
               SpoolDirectory spool);
  ~IntakeServer();

  // Binds a listener ("HOST:PORT" or "unix:PATH"); returns the bound address.
  Result<std::string> listen(Protocol protocol, const std::string& address);
  // Starts accepting on every bound listener.
  void start();
  // Stops accepting; idle sessions get 421 now, busy ones after the grace period.
  void shutdown();

  struct ConnectionState;  // per-connection timing and stop flags

 private:
  template <typename Acceptor>
  void spawn_accept_loop(Acceptor& acceptor, Protocol protocol);

  boost::asio::io_context& io_;
  const Config& config_;
  IntakeCommitter& committer_;
  SpoolDirectory spool_;
  ProtocolLimits limits_;
  std::list<std::pair<std::unique_ptr<boost::asio::ip::tcp::acceptor>, Protocol>> tcp_acceptors_;
  std::list<std::pair<std::unique_ptr<boost::asio::local::stream_protocol::acceptor>, Protocol>> unix_acceptors_;
  std::list<std::string> unix_paths_;
  std::list<std::shared_ptr<ConnectionState>> connections_;
  bool stopping_ = false;
  std::uint64_t session_counter_ = 0;

  friend struct SessionRunner;
};

}  // namespace csirtgw
