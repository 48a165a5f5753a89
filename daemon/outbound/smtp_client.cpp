// The outbound SMTP client's I/O around its dialogue (smtp_client.h).
#include "smtp_client.h"

#include <array>
#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "result.h"
#include "smtp_payload.h"
#include "smtp_reply.h"

namespace csirtgw {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Shared by the delivery coroutine and its timer's handler. A handler queued
// just as a step completes runs after the coroutine has moved on, or ended:
// it must find the socket alive, and see from `step` that it is stale.
struct Connection {
  explicit Connection(const asio::any_io_executor& executor)
      : resolver(executor), socket(executor), timer(executor) {}
  tcp::resolver resolver;
  tcp::socket socket;
  asio::steady_timer timer;
  std::uint64_t step = 0;  // the step the armed timer belongs to
  bool expired = false;    // the current step ran out of time
};

// One deadline per step, not per read: a server sending one byte a minute
// still runs out of time. Closing (not just cancelling) ends the session: a
// server that missed one deadline gets no second chance.
void start_step(const std::shared_ptr<Connection>& connection, std::chrono::seconds timeout) {
  const std::uint64_t step = ++connection->step;
  connection->expired = false;
  connection->timer.expires_after(timeout);
  connection->timer.async_wait([connection, step](const boost::system::error_code& ec) {
    if (ec || step != connection->step) return;
    connection->expired = true;
    boost::system::error_code ignored;
    connection->resolver.cancel();
    connection->socket.close(ignored);
  });
}

// Returns whether the step ran out of time; an operation that completed in the
// same instant is treated as timed out, since its socket may be closed now.
bool end_step(Connection& connection) {
  ++connection.step;
  connection.timer.cancel();
  return connection.expired;
}

std::string timeout_after(std::chrono::seconds timeout) {
  return "timeout after " + std::to_string(timeout.count()) + " s";
}

std::string endpoint_name(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

asio::awaitable<Status> connect(const std::shared_ptr<Connection>& connection, const SmtpTarget& target) {
  boost::system::error_code ec;
  const std::string wanted = target.host + ":" + target.port;
  start_step(connection, target.step_timeout);
  const auto endpoints = co_await connection->resolver.async_resolve(
      target.host, target.port, asio::redirect_error(asio::use_awaitable, ec));
  if (end_step(*connection)) co_return Error::temporary("resolve " + wanted + ": " + timeout_after(target.step_timeout));
  if (ec) co_return Error::temporary("resolve " + wanted + ": " + ec.message());

  std::string failures;  // one per address tried, all of them in the reason
  for (const auto& entry : endpoints) {
    const tcp::endpoint endpoint = entry.endpoint();
    boost::system::error_code ignored;
    connection->socket.close(ignored);  // a fresh socket per address; async_connect opens it
    start_step(connection, target.step_timeout);
    co_await connection->socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    const bool expired = end_step(*connection);
    if (!expired && !ec) co_return ok_status();
    if (!failures.empty()) failures += "; ";
    failures += "connect " + endpoint_name(endpoint) + ": " + (expired ? timeout_after(target.step_timeout) : ec.message());
  }
  if (failures.empty()) failures = "resolve " + wanted + ": no addresses";
  co_return Error::temporary(failures);
}

// Reads one reply; `pending` keeps bytes received beyond it.
asio::awaitable<Result<SmtpReply>> read_reply(const std::shared_ptr<Connection>& connection, ReplyParser& parser,
                                              std::string& pending, std::chrono::seconds timeout,
                                              std::string_view awaiting) {
  std::array<char, 4096> chunk;
  boost::system::error_code ec;
  start_step(connection, timeout);
  while (true) {
    const auto step = parser.feed(pending);
    pending.erase(0, step.consumed);
    if (step.status == ReplyParser::Status::complete) {
      end_step(*connection);
      co_return parser.take_reply();
    }
    if (step.status == ReplyParser::Status::malformed) {
      end_step(*connection);
      co_return Error::temporary("protocol error in " + std::string(awaiting) + ": " + parser.problem());
    }
    const std::size_t n =
        co_await connection->socket.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (connection->expired || ec) {
      if (end_step(*connection))
        co_return Error::temporary(timeout_after(timeout) + " waiting for " + std::string(awaiting));
      if (ec == asio::error::eof)
        co_return Error::temporary("connection closed by the server while waiting for " + std::string(awaiting));
      co_return Error::temporary("reading " + std::string(awaiting) + ": " + ec.message());
    }
    pending.append(chunk.data(), n);
  }
}

asio::awaitable<Status> write_all(const std::shared_ptr<Connection>& connection, const std::string& bytes,
                                  std::chrono::seconds timeout, std::string_view what) {
  boost::system::error_code ec;
  start_step(connection, timeout);
  co_await asio::async_write(connection->socket, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  if (end_step(*connection)) co_return Error::temporary(timeout_after(timeout) + " sending " + std::string(what));
  if (ec) co_return Error::temporary("sending " + std::string(what) + ": " + ec.message());
  co_return ok_status();
}

}  // namespace

asio::awaitable<void> deliver_via_smtp(SmtpTarget target, std::vector<OutgoingMail> mails, DeliveryCallback on_result) {
  if (mails.empty()) co_return;
  SmtpDialogue dialogue(target.helo_name, mails);
  std::vector<MailResult> results;
  // Each result leaves `results` before its callback runs: none goes out twice.
  auto hand_out = [&results, &on_result] {
    auto ready = std::exchange(results, {});
    for (auto& mail : ready) on_result(mail.index, std::move(mail.result));
  };
  std::shared_ptr<Connection> connection;
  std::string failure;  // set by a catch block, acted on after it (no co_await in a handler)

  try {
    if (const auto problem = helo_name_problem(target.helo_name)) {
      dialogue.on_failure("configuration: " + *problem, results);
    } else {
      connection = std::make_shared<Connection>(co_await asio::this_coro::executor);
      const Status connected = co_await connect(connection, target);
      if (!connected) dialogue.on_failure(connected.error().message, results);
      ReplyParser parser;
      std::string pending;
      while (!dialogue.finished()) {
        auto reply = co_await read_reply(connection, parser, pending, target.step_timeout, dialogue.awaiting());
        if (!reply) {
          dialogue.on_failure(reply.error().message, results);
          break;
        }
        const std::string out = dialogue.on_reply(*reply, results);
        hand_out();  // before anything more is sent: the caller records "sent" now
        if (out.empty()) continue;
        const Status sent = co_await write_all(connection, out, target.step_timeout, dialogue.sending());
        if (!sent) dialogue.on_failure(sent.error().message, results);
      }
    }
    hand_out();
  } catch (const std::exception& e) {
    failure = std::string("internal error: ") + e.what();
  } catch (...) {
    failure = "internal error";
  }

  if (!failure.empty()) {
    try {
      dialogue.on_failure(failure, results);
      hand_out();
    } catch (...) {
      // on_result must not throw; if it does, nothing more can be reported.
    }
  }
  if (connection) {
    boost::system::error_code ignored;
    connection->timer.cancel();  // lets the handler release the connection
    connection->socket.shutdown(tcp::socket::shutdown_both, ignored);
    connection->socket.close(ignored);
  }
}

}  // namespace csirtgw
