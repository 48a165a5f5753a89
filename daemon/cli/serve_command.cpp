// `csirtgw serve`: wires the parts together in the order durability needs —
// bind, drop privileges, open the store, recover the spool, then accept — and
// shuts down in the reverse order on SIGTERM. SIGHUP reloads the rules
// (pipeline_rules.h) on the io thread without touching a connection.
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <tuple>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "ack_sender.h"
#include "ack_template.h"
#include "audit_anchor_writer.h"
#include "commands.h"
#include "config_resolution.h"
#include "durable_file.h"
#include "exception_text.h"
#include "filing_worker.h"
#include "filter_chain.h"
#include "gnupg_home.h"
#include "openpgp_worker.h"
#include "intake_committer.h"
#include "intake_server.h"
#include "parallel_fsync.h"
#include "paths_after_drop.h"
#include "pipeline_rules.h"
#include "service_notify.h"
#include "store_sharing.h"
#include "team_key_check.h"

namespace csirtgw {
namespace {

void setup_logging() {
  for (const char* name : {"main", "intake", "worker", "outbound", "audit"}) {
    if (spdlog::get(name)) continue;
    auto logger = spdlog::stderr_color_mt(name);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  }
}

// 1,000+ idle connections need more than the usual 1,024 descriptors. Only as
// many as needed: GPGME closes every possible descriptor in each gpg child, so
// a soft limit of a million would cost milliseconds per gpg run.
void raise_descriptor_limit(std::int64_t connections) {
  rlimit limit{};
  const rlim_t wanted = static_cast<rlim_t>(connections) + 512;  // spool, store, queues, gpg pipes
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

Status drop_privileges(const std::string& user, const std::filesystem::path& state_dir,
                       const std::vector<NeededPath>& needed) {
  if (::geteuid() != 0) return ok_status();
  if (user.empty()) {
    spdlog::get("main")->warn("running as root: set listen.user to drop privileges after binding");
    return ok_status();
  }
  const passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return Error::bad_input("listen.user: no such user " + user);
  // The state directory must belong to the user the daemon becomes.
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(state_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (::lchown(it->path().c_str(), pw->pw_uid, pw->pw_gid) != 0) return errno_error("chown " + it->path().string(), errno);
  if (::chown(state_dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) return errno_error("chown state directory", errno);
  // Refused now, with the path in the way, rather than a daemon failing later.
  auto identity = user_identity(user);
  if (!identity) return Error::bad_input("listen.user: " + identity.error().message);
  if (auto problems = unreachable_paths(needed, *identity); !problems.empty()) {
    std::string message = "listen.user " + user + " could not reach what the daemon opens after the drop:";
    for (const auto& problem : problems) message += " [" + problem + "]";
    return Error::bad_input(message);
  }
  if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0)
    return errno_error("dropping privileges to " + user, errno);
  if (::setuid(0) == 0) return Error::internal("could regain root after dropping privileges");
  ::setenv("HOME", pw->pw_dir, 1);
  return ok_status();
}

int fail(const std::string& what, const Error& error) {
  spdlog::get("main")->critical("{}: {}", what, error.message);
  return 1;
}

// Flags override the file, at start-up and at every reload.
void apply_command_line(Config& config, const ServeOptions& options) {
  if (options.state_dir) config.state_dir = *options.state_dir;
  if (options.lmtp) config.lmtp = *options.lmtp;
  if (options.smtp) config.smtp = *options.smtp;
  if (options.smarthost) config.smarthost = *options.smarthost;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// SIGHUP, on the io thread. Reads the configuration file again and the files it
// names; with any error the running rules stay, whole. Otherwise the worker
// takes the new rules for its next batch (and audits the reload, since this
// thread must not wait for the store), and every agent shard copies the public
// keyring again. Sessions go on undisturbed: nothing they use is replaced.
void reload_rules(const ServeOptions& options, RulesInForce& in_force, AgentShards& shards, FilingWorker& worker) {
  auto log = spdlog::get("main");
  const std::string origin = options.config_file.value_or("the embedded defaults");
  auto loaded = load_config(options.config_file);
  std::vector<std::string> errors = format_config_errors(origin, loaded.errors);
  ReloadedRules reloaded;
  if (errors.empty()) {
    apply_command_line(loaded.config, options);
    reloaded = reload_pipeline_rules(*in_force.current(), std::move(loaded.config));
    errors = std::move(reloaded.loaded.errors);
  }
  if (!errors.empty()) {
    for (const auto& error : errors) log->error("reload: {}", error);
    log->error("SIGHUP: reload refused ({} error(s)); keeping the running configuration", errors.size());
    return;
  }
  if (!reloaded.needs_restart.empty())
    log->warn("reload: needs a restart: {} (keeping the running values until then)", joined(reloaded.needs_restart));
  const auto& rules = *reloaded.loaded.rules;
  in_force.replace(reloaded.loaded.rules);
  shards.resync_public_keyrings();
  worker.wake();
  log->info("reloaded configuration from {}: {}", origin, describe_rules(rules));
}

// The configuration file, the command line over it, and listeners that can be
// bound; nullopt after printing why not.
std::optional<Config> serve_config(const ServeOptions& options) {
  auto resolved = resolve_config(options.config_file);
  if (!resolved) return std::nullopt;
  Config config = std::move(*resolved);
  apply_command_line(config, options);
  for (const auto* address : {&config.lmtp, &config.smtp})
    if (auto problem = listen_address_problem(*address)) {
      std::fprintf(stderr, "csirtgw: listen address \"%s\": %s\n", address->c_str(), problem->c_str());
      return std::nullopt;
    }
  if (config.lmtp.empty() && config.smtp.empty()) {
    std::fprintf(stderr, "csirtgw: both listeners are disabled\n");
    return std::nullopt;
  }
  return config;
}

// A peer closing mid-write is an error value, not a signal; files are
// group-readable at most.
void prepare_process(std::int64_t connections) {
  std::signal(SIGPIPE, SIG_IGN);
  raise_descriptor_limit(connections);
  ::umask(0027);
}

// The two lines tests and wrappers wait for on stdout, then systemd and the log.
void announce_ready(const std::string& team_key, const std::string& lmtp, const std::string& smtp,
                    const std::filesystem::path& state_dir, std::size_t intakes) {
  std::printf("team-key %s\nready lmtp=%s smtp=%s\n", team_key.c_str(), lmtp.c_str(), smtp.c_str());
  std::fflush(stdout);
  notify_service_manager("READY=1");
  spdlog::get("main")->info("ready: lmtp={} smtp={} state={} intakes={}", lmtp, smtp, state_dir.string(), intakes);
}

// GPGME, the GnuPG home and the team key (generated when none is configured).
Result<TeamKey> prepare_team_key(const Config& config, const std::filesystem::path& gnupg_home) {
  if (auto st = init_gpgme(); !st) return Error{st.error().kind, "gpg: " + st.error().message};
  if (auto st = prepare_gnupg_home(gnupg_home); !st) return Error{st.error().kind, "GnuPG home: " + st.error().message};
  const std::string team_address = config.intakes.empty() ? "cert@" + config.team_domain : config.intakes.front().address;
  auto team_key = ensure_team_key(gnupg_home, config.team_key, config.team_name, team_address);
  if (!team_key) return Error{team_key.error().kind, "team key: " + team_key.error().message};
  if (team_key->generated) spdlog::get("main")->info("generated team key {}", team_key->fingerprint);
  // One signature and one decryption now, in the home and as the user the
  // workers will use: a key that cannot work refuses the start, not the first report.
  if (auto st = check_team_key(gnupg_home, team_key->fingerprint); !st) {
    stop_gpg_agent(gnupg_home);  // no agent outlives a refused start
    return Error{st.error().kind, "team key: " + st.error().message};
  }
  return team_key;
}

// The bound LMTP and SMTP addresses ("off" for a disabled one).
Result<std::pair<std::string, std::string>> bind_listeners(IntakeServer& server, const Config& config) {
  std::pair<std::string, std::string> bound{"off", "off"};
  for (auto [protocol, address, name, out] : {std::tuple{Protocol::lmtp, &config.lmtp, "LMTP", &bound.first},
                                              std::tuple{Protocol::smtp, &config.smtp, "SMTP", &bound.second}}) {
    if (address->empty()) continue;
    auto listening = server.listen(protocol, *address);
    if (!listening) return Error{listening.error().kind, std::string(name) + " listener: " + listening.error().message};
    *out = listening.value();
  }
  return bound;
}

// SIGHUP reloads (and a reload that throws never takes the daemon down);
// SIGTERM and SIGINT start the shutdown.
void watch_signals(boost::asio::signal_set& signals, std::function<void()> reload, std::function<void()> shut_down) {
  signals.async_wait([&signals, reload = std::move(reload), shut_down = std::move(shut_down)](
                         const boost::system::error_code& ec, int signal) mutable {
    if (ec) return;
    auto log = spdlog::get("main");
    if (signal == SIGHUP) {
      try {
        reload();
      } catch (const std::exception& e) {
        log->error("SIGHUP: reload failed: {}; keeping the running configuration", e.what());
      }
      watch_signals(signals, std::move(reload), std::move(shut_down));
      return;
    }
    notify_service_manager("STOPPING=1");
    log->info("signal {}: no new connections; finishing open sessions", signal);
    shut_down();
    signals.cancel();
  });
}

// The listener thread's last line: a handler that lets an exception out is
// logged and the loop goes on (run() may be called again after it threw).
void run_listener_thread(boost::asio::io_context& io) {
  while (true) {
    try {
      io.run();
      return;
    } catch (...) {
      spdlog::get("main")->critical("listener thread: a handler failed with {}; going on",
                                    exception_class(std::current_exception()));
    }
  }
}

}  // namespace

int run_serve(const ServeOptions& given) {
  ServeOptions options = given;  // reloads read the same file as the start
  options.config_file = config_file_to_use(given.config_file);
  setup_logging();
  auto log = spdlog::get("main");
  auto resolved = serve_config(options);
  if (!resolved) return 2;
  Config config = std::move(*resolved);
  const std::filesystem::path state_dir = std::filesystem::absolute(config.state_dir);

  prepare_process(config.connections);

  if (auto st = ensure_directory(state_dir, 0750); !st) return fail("state directory", st.error());
  SpoolDirectory spool(state_dir / "spool");
  if (auto st = spool.prepare(); !st) return fail("spool", st.error());

  boost::asio::io_context io(1);
  // Threads that only wait for the disk: enough to overlap a batch's fsyncs.
  ParallelFsync fsync(8);
  std::mutex store_write_gate;
  const std::size_t stage_threads = config.worker_threads > 0 ? static_cast<std::size_t>(config.worker_threads)
                                                              : std::max(1u, std::thread::hardware_concurrency());
  auto loaded_rules = load_pipeline_rules(config);
  if (!loaded_rules.rules) {
    for (const auto& error : loaded_rules.errors) std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  RulesInForce rules(loaded_rules.rules);
  AgentShards shards(state_dir / "gnupg", state_dir / "gnupg-shards", static_cast<std::size_t>(config.openpgp_agents));
  auto build_chain = [&state_dir, &shards](const PipelineRules& r, std::size_t index) {
    return build_filter_chain({r.config, state_dir, shards, r.policy, r.form}, index);
  };
  FilingWorker worker(rules, state_dir, spool, stage_threads, build_chain, fsync, store_write_gate);
  IntakeCommitter committer(spool, state_dir, static_cast<std::size_t>(config.commit_batch), fsync,
                            store_write_gate, [&worker] { worker.wake(); });
  IntakeServer server(io, config, committer, spool);
  AckSender ack_sender(config, state_dir, store_write_gate);

  auto bound = bind_listeners(server, config);
  if (!bound) return fail("binding", bound.error());
  const auto& [bound_lmtp, bound_smtp] = *bound;
  // Before the drop: the user may not be able to search the way to it.
  if (auto st = pin_openpgp_worker_program(); !st) return fail("OpenPGP worker", st.error());
  if (auto st = drop_privileges(config.user, state_dir,
                                paths_needed_after_drop(config, options.config_file, state_dir, true));
      !st)
    return fail("privileges", st.error());
  if (!config.staff_group.empty())
    if (auto st = share_store_with_group(state_dir, config.staff_group); !st) return fail("staff group", st.error());

  const auto gnupg_home = state_dir / "gnupg";
  auto team_key = prepare_team_key(config, gnupg_home);
  if (!team_key) return fail("OpenPGP", team_key.error());

  if (auto st = shards.prepare(); !st) return fail("gpg-agent shards", st.error());
  worker.enable_acks(shards, team_key->fingerprint, [&ack_sender] { ack_sender.wake(); });
  if (auto st = worker.recover(); !st) return fail("spool recovery", st.error());
  if (auto st = ack_sender.recover(); !st) return fail("outbound recovery", st.error());
  if (auto st = committer.start(); !st) return fail("store", st.error());
  worker.start();
  ack_sender.start();
  // Signs the chain head now, every audit.anchor_interval and at shutdown.
  AuditAnchorWriter anchors({state_dir, gnupg_home, team_key->fingerprint,
                             std::chrono::seconds(config.audit_anchor_interval)});
  anchors.start();
  server.start();

  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  watch_signals(signals, [&] { reload_rules(options, rules, shards, worker); }, [&] { server.shutdown(); });

  announce_ready(team_key->fingerprint, bound_lmtp, bound_smtp, state_dir, config.intakes.size());

  run_listener_thread(io);
  committer.stop();
  worker.stop();
  ack_sender.stop();
  anchors.stop();  // after every writer of audit events: the last anchor covers them
  stop_gpg_agent(gnupg_home);
  shards.stop_agents();
  log->info("stopped");
  return 0;
}

}  // namespace csirtgw
