// The outbound SMTP client (daemon/outbound/smtp_client.cpp) against a scripted SMTP
// sink on 127.0.0.1:0: the sink reads commands line by line like a real
// server, answers from a script and records every byte it received. Client and
// sink share one io_context, so the order of events (what the sink read, when
// a result was handed out) is exact.
#include <doctest/doctest.h>

#include <chrono>
#include <exception>
#include <map>
#include <string>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "smtp_client.h"

namespace csirtgw {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kClose = "<close>";  // a script entry: close instead of answering

struct SinkScript {
  std::string greeting = "220 sink.test ESMTP";  // "": accept, then say nothing at all
  bool drip_greeting = false;                    // one octet every 200 ms
  // By verb ("EHLO", "MAIL", "RCPT", "DATA", ".", "RSET", "QUIT"): the n-th
  // command gets the n-th entry (without its final CRLF), later ones the default.
  std::map<std::string, std::vector<std::string>> replies;
};

std::string default_reply(const std::string& verb, std::size_t occurrence) {
  if (verb == "EHLO" || verb == "HELO") return "250 sink.test";
  if (verb == "MAIL") return "250 2.1.0 Ok";
  if (verb == "RCPT") return "250 2.1.5 Ok";
  if (verb == "DATA") return "354 End data with <CR><LF>.<CR><LF>";
  if (verb == ".") return "250 2.0.0 Ok: queued as Q" + std::to_string(occurrence + 1);
  if (verb == "RSET") return "250 2.0.0 Ok";
  if (verb == "QUIT") return "221 2.0.0 Bye";
  return "502 5.5.2 Error: command not recognized";
}

struct Sink {
  SinkScript script;
  std::string received;              // every octet the client sent
  std::vector<std::string>* events;  // "S: <command>" as each is read

  asio::awaitable<void> serve(tcp::acceptor& acceptor) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    std::string buffer;
    if (script.greeting.empty()) {  // until the client gives up
      co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\n",
                                      asio::redirect_error(asio::use_awaitable, ec));
      received += buffer;
      co_return;
    }
    const std::string greeting = script.greeting + "\r\n";
    if (script.drip_greeting) {
      asio::steady_timer pause(socket.get_executor());
      for (char c : greeting) {
        co_await asio::async_write(socket, asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        pause.expires_after(std::chrono::milliseconds(200));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    } else {
      co_await asio::async_write(socket, asio::buffer(greeting), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
    std::map<std::string, std::size_t> used;
    bool in_data = false;
    while (true) {
      const std::size_t n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n",
                                                            asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      const std::string line = buffer.substr(0, n);
      buffer.erase(0, n);
      received += line;
      std::string verb;
      if (in_data) {
        if (line != ".\r\n") continue;
        in_data = false;
        verb = ".";
      } else {
        verb = line.substr(0, line.find_first_of(" :\r"));
      }
      events->push_back("S: " + line.substr(0, line.size() - 2));
      const std::size_t occurrence = used[verb]++;
      const auto scripted = script.replies.find(verb);
      const std::string reply = scripted != script.replies.end() && occurrence < scripted->second.size()
                                    ? scripted->second[occurrence]
                                    : default_reply(verb, occurrence);
      if (reply == kClose) co_return;  // the socket closes as it goes out of scope
      co_await asio::async_write(socket, asio::buffer(reply + "\r\n"), asio::redirect_error(asio::use_awaitable, ec));
      if (ec || verb == "QUIT") co_return;
      if (verb == "DATA" && reply[0] == '3') in_data = true;
    }
  }
};

const char* outcome_name(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::accepted: return "accepted";
    case DeliveryOutcome::temporary: return "temporary";
    case DeliveryOutcome::permanent: return "permanent";
  }
  return "?";
}

struct Delivery {
  std::string port;
  std::vector<std::string> results;  // "index outcome: reply", in the order handed out
  std::vector<std::string> events;   // sink reads and results, interleaved as they happened
  std::string received;              // what the sink read
  std::chrono::milliseconds elapsed{};
  bool completed = false;            // the coroutine ended
  bool threw = false;
};

// Runs deliver_via_smtp against a sink following script, or with no script
// against a port nothing listens on.
Delivery deliver(const SinkScript* script, std::vector<OutgoingMail> mails,
                 std::chrono::seconds step_timeout = std::chrono::seconds(5)) {
  Delivery d;
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  d.port = std::to_string(acceptor.local_endpoint().port());
  Sink sink{script ? *script : SinkScript{}, {}, &d.events};
  if (script) asio::co_spawn(io, sink.serve(acceptor), asio::detached);
  else acceptor.close();  // connecting now is refused

  const SmtpTarget target{"127.0.0.1", d.port, "gw.test", step_timeout};
  auto on_result = [&d](std::size_t index, DeliveryResult result) {
    d.results.push_back(std::to_string(index) + " " + outcome_name(result.outcome) + ": " + result.reply);
    d.events.push_back("R" + std::to_string(index) + " " + outcome_name(result.outcome));
  };
  const auto start = Clock::now();
  asio::co_spawn(io, deliver_via_smtp(target, std::move(mails), on_result), [&](std::exception_ptr e) {
    d.completed = true;
    d.threw = e != nullptr;
    d.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  });
  io.run_for(std::chrono::seconds(20));
  d.received = sink.received;
  CHECK(d.completed);
  CHECK_FALSE(d.threw);
  return d;
}

std::vector<OutgoingMail> mails(std::size_t count) {
  std::vector<OutgoingMail> out;
  for (std::size_t i = 0; i < count; ++i)
    out.push_back({"r" + std::to_string(i) + "@example.org", "Subject: ack " + std::to_string(i) + "\r\n\r\nThanks.\r\n"});
  return out;
}

std::string transaction(std::size_t i) {
  return "MAIL FROM:<>\r\nRCPT TO:<r" + std::to_string(i) + "@example.org>\r\nDATA\r\nSubject: ack " +
         std::to_string(i) + "\r\n\r\nThanks.\r\n.\r\n";
}

}  // namespace

TEST_CASE("smtp client: three mails on one connection, each result before the next MAIL") {
  SinkScript script;
  std::vector<OutgoingMail> three = {
      {"r0@example.org", "Subject: ack 0\r\n\r\nThanks.\r\n.hidden\r\n"},
      {"r1@example.org", "Subject: ack 1\r\n\r\n.\r\nlast line without CRLF"},
      {"r2@example.org", "Subject: ack 2\r\n\r\nThanks.\r\n"},
  };
  const Delivery d = deliver(&script, three);
  CHECK(d.received ==
        "EHLO gw.test\r\n"
        "MAIL FROM:<>\r\nRCPT TO:<r0@example.org>\r\nDATA\r\nSubject: ack 0\r\n\r\nThanks.\r\n..hidden\r\n.\r\n"
        "MAIL FROM:<>\r\nRCPT TO:<r1@example.org>\r\nDATA\r\nSubject: ack 1\r\n\r\n..\r\nlast line without CRLF\r\n.\r\n"
        "MAIL FROM:<>\r\nRCPT TO:<r2@example.org>\r\nDATA\r\nSubject: ack 2\r\n\r\nThanks.\r\n.\r\n"
        "QUIT\r\n");
  CHECK(d.results == std::vector<std::string>{"0 accepted: 250 2.0.0 Ok: queued as Q1",
                                              "1 accepted: 250 2.0.0 Ok: queued as Q2",
                                              "2 accepted: 250 2.0.0 Ok: queued as Q3"});
  CHECK(d.events == std::vector<std::string>{
                        "S: EHLO gw.test",
                        "S: MAIL FROM:<>", "S: RCPT TO:<r0@example.org>", "S: DATA", "S: .", "R0 accepted",
                        "S: MAIL FROM:<>", "S: RCPT TO:<r1@example.org>", "S: DATA", "S: .", "R1 accepted",
                        "S: MAIL FROM:<>", "S: RCPT TO:<r2@example.org>", "S: DATA", "S: .", "R2 accepted",
                        "S: QUIT",
                    });
}

TEST_CASE("smtp client: multiline EHLO reply") {
  SinkScript script;
  script.replies["EHLO"] = {"250-sink.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME"};
  const Delivery d = deliver(&script, mails(1));
  CHECK(d.received == "EHLO gw.test\r\n" + transaction(0) + "QUIT\r\n");
  CHECK(d.results == std::vector<std::string>{"0 accepted: 250 2.0.0 Ok: queued as Q1"});
}

TEST_CASE("smtp client: EHLO 502 falls back to HELO") {
  SinkScript script;
  script.replies["EHLO"] = {"502 5.5.1 Error: command not implemented"};
  const Delivery d = deliver(&script, mails(1));
  CHECK(d.received == "EHLO gw.test\r\nHELO gw.test\r\n" + transaction(0) + "QUIT\r\n");
  CHECK(d.results == std::vector<std::string>{"0 accepted: 250 2.0.0 Ok: queued as Q1"});
}

TEST_CASE("smtp client: RCPT 550 is permanent; RSET, and the next mail still goes") {
  SinkScript script;
  script.replies["RCPT"] = {"550 5.1.1 <r0@example.org>: Recipient address rejected: User unknown"};
  const Delivery d = deliver(&script, mails(2));
  CHECK(d.received ==
        "EHLO gw.test\r\nMAIL FROM:<>\r\nRCPT TO:<r0@example.org>\r\nRSET\r\n" + transaction(1) + "QUIT\r\n");
  CHECK(d.results ==
        std::vector<std::string>{"0 permanent: 550 5.1.1 <r0@example.org>: Recipient address rejected: User unknown",
                                 "1 accepted: 250 2.0.0 Ok: queued as Q1"});
}

TEST_CASE("smtp client: 451 after the final dot is temporary; no RSET needed") {
  SinkScript script;
  script.replies["."] = {"451 4.3.0 Error: queue file write error"};
  const Delivery d = deliver(&script, mails(2));
  CHECK(d.received == "EHLO gw.test\r\n" + transaction(0) + transaction(1) + "QUIT\r\n");
  CHECK(d.results == std::vector<std::string>{"0 temporary: 451 4.3.0 Error: queue file write error",
                                              "1 accepted: 250 2.0.0 Ok: queued as Q2"});
}

TEST_CASE("smtp client: a 421 greeting makes every mail temporary") {
  SinkScript script;
  script.greeting = "421 4.3.2 sink.test Service shutting down";
  const Delivery d = deliver(&script, mails(3));
  CHECK(d.received == "");  // 421: the server closes; not even QUIT is sent
  const std::string reason = "temporary: greeting: 421 4.3.2 sink.test Service shutting down";
  CHECK(d.results == std::vector<std::string>{"0 " + reason, "1 " + reason, "2 " + reason});
}

TEST_CASE("smtp client: a 554 greeting is temporary for the mails too, and gets QUIT") {
  SinkScript script;
  script.greeting = "554 5.3.2 sink.test not accepting mail";
  const Delivery d = deliver(&script, mails(2));
  CHECK(d.received == "QUIT\r\n");
  const std::string reason = "temporary: greeting: 554 5.3.2 sink.test not accepting mail";
  CHECK(d.results == std::vector<std::string>{"0 " + reason, "1 " + reason});
}

TEST_CASE("smtp client: connection refused makes every mail temporary, naming the address") {
  const Delivery d = deliver(nullptr, mails(2));
  const std::string reason = "temporary: connect 127.0.0.1:" + d.port + ": Connection refused";
  CHECK(d.results == std::vector<std::string>{"0 " + reason, "1 " + reason});
}

TEST_CASE("smtp client: a server that never greets times out after step_timeout") {
  SinkScript script;
  script.greeting = "";
  const Delivery d = deliver(&script, mails(2), std::chrono::seconds(1));
  const std::string reason = "temporary: timeout after 1 s waiting for the greeting";
  CHECK(d.results == std::vector<std::string>{"0 " + reason, "1 " + reason});
  CHECK(d.received == "");
  CHECK(d.elapsed >= std::chrono::milliseconds(900));
  CHECK(d.elapsed < std::chrono::milliseconds(3000));
}

TEST_CASE("smtp client: a greeting dribbled one octet at a time still times out") {
  SinkScript script;
  script.drip_greeting = true;  // 21 octets at 200 ms: over 4 s for the whole line
  const Delivery d = deliver(&script, mails(1), std::chrono::seconds(1));
  CHECK(d.results == std::vector<std::string>{"0 temporary: timeout after 1 s waiting for the greeting"});
  CHECK(d.elapsed < std::chrono::milliseconds(3000));
}

TEST_CASE("smtp client: the connection closed after the final dot is temporary") {
  SinkScript script;
  script.replies["."] = {kClose};
  const Delivery d = deliver(&script, mails(2));
  CHECK(d.received == "EHLO gw.test\r\n" + transaction(0));
  const std::string reason = "temporary: connection closed by the server while waiting for the reply to the final dot";
  CHECK(d.results == std::vector<std::string>{"0 " + reason, "1 " + reason});
}

TEST_CASE("smtp client: an oversized reply line is a protocol error") {
  SinkScript script;
  script.replies["EHLO"] = {"250-" + std::string(5000, 'x') + "\r\n250 ok"};
  const Delivery d = deliver(&script, mails(1));
  CHECK(d.results == std::vector<std::string>{
                         "0 temporary: protocol error in the EHLO reply: reply line longer than 4096 octets"});
}

TEST_CASE("smtp client: a recipient that would break RCPT TO is refused without sending it") {
  SinkScript script;
  std::vector<OutgoingMail> two = mails(2);
  two[0].recipient = "r0@example.org\r\nRCPT TO:<victim@example.org";
  const Delivery d = deliver(&script, two);
  CHECK(d.received == "EHLO gw.test\r\n" + transaction(1) + "QUIT\r\n");
  CHECK(d.results == std::vector<std::string>{"0 permanent: refused locally: recipient contains a control character",
                                              "1 accepted: 250 2.0.0 Ok: queued as Q1"});
}

TEST_CASE("smtp client: no mails, no connection") {
  const Delivery d = deliver(nullptr, {});
  CHECK(d.results.empty());
}

}  // namespace csirtgw
