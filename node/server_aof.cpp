// The node's side of the AOF and the write stream: propagation into the stream, the flush
// before replies, BGREWRITEAOF and its scheduling, switching appendonly at runtime, and loading
// the AOF directory at start-up through the replayer. The mechanics (files, manifest, fork)
// live in persistence/aof*.h; this file connects them to the server's state.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>

#include "node/command_util.h"
#include "node/replay.h"
#include "node/server.h"
#include "persistence/command_stream.h"
#include "persistence/mapped_file.h"
#include "persistence/rdb_load.h"

namespace snapstream {

std::string random_hex(size_t n);  // node/server.cpp

namespace {

bool file_exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

constexpr char kCheckAofHint[] =
    "You can: 1) Make a backup of your AOF file, then use snapstream-check-aof --fix "
    "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration "
    "option to yes and restart the server.";

}  // namespace

FsyncPolicy Server::fsync_policy() const {
    // no-appendfsync-on-rewrite: while a child writes a snapshot, no fsync competes with it.
    if (cfg_.no_appendfsync_on_rewrite && child_active()) return FsyncPolicy::No;
    switch (cfg_.appendfsync) {
        case config::AppendFsync::Always:
            return FsyncPolicy::Always;
        case config::AppendFsync::Everysec:
            return FsyncPolicy::Everysec;
        case config::AppendFsync::No:
            break;
    }
    return FsyncPolicy::No;
}

void Server::propagate(int db, std::span<const std::string_view> argv) {
    if (!propagating()) return;
    if (call_depth_ > 0)
        propagation_.add(db, argv);
    else
        stream_.append(db, argv);
}

void Server::propagate_pending() {
    if (propagation_.empty()) return;
    if (!propagating()) {
        propagation_.discard();
        return;
    }
    propagation_.flush(stream_);
}

bool Server::flush_aof(bool force) {
    if (stream_.has_pending()) {
        feed_replicas(stream_.pending());
        // In WaitRewrite without a child the bytes are not needed: the coming fork sees them.
        if (aof_.state() == AofState::On ||
            (aof_.state() == AofState::WaitRewrite && aof_.rewrite_in_progress()))
            aof_.writer().feed(stream_.pending());
        stream_.clear_pending();
    }
    if (!aof_.writer().is_open()) {
        durable_offset_ = stream_.offset();
        return true;
    }
    const FsyncPolicy policy = fsync_policy();
    const bool was_ok = aof_.writer().last_write_ok();
    const int64_t now = wall_clock_ms();
    const AofWriter::Flush r = aof_.writer().flush(policy, now, force);
    if (r == AofWriter::Flush::Failed) {
        if (aof_.writer().should_log_error(now))
            spdlog::warn("Error writing to the AOF file: {}", aof_.writer().last_write_error());
    } else if (!was_ok && aof_.writer().last_write_ok()) {
        spdlog::warn("AOF write error looks solved, Redis can write again.");
    }
    if (aof_.writer().delayed_fsyncs() != delayed_fsync_logged_) {
        delayed_fsync_logged_ = aof_.writer().delayed_fsyncs();
        spdlog::info(
            "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
            "without waiting for fsync to complete, this may slow down Redis.");
    }
    const bool settled = aof_.writer().settled(policy);
    if (settled) durable_offset_ = stream_.offset();
    return settled;
}

Result<std::string> Server::bgrewriteaof() {
    if (aof_.rewrite_in_progress())
        return make_error("ERR Background append only file rewriting already in progress");
    if (child_active() || in_exec_) {
        aof_.info.rewrite_scheduled = true;
        return std::string("Background append only file rewriting scheduled");
    }
    if (!start_aof_rewrite())
        return make_error(
            "ERR Can't execute an AOF background rewriting. Please check the server logs for "
            "more information.");
    return std::string("Background append only file rewriting started");
}

Status Server::start_aof_rewrite() {
    // Everything executed so far goes to the current INCR file, before the fork snapshots it.
    propagate_pending();
    flush_aof(/*force=*/true);
    const std::vector<int> fds = listener_fds();
    Status r = aof_.start_rewrite(ks_, rdb_aux(), rdb_write_options(), stream_.offset(),
                                  stream_.replid(), fds);
    if (!r) {
        spdlog::warn("{}", r.error());
        return r;
    }
    // The new INCR file starts with a SELECT, as every consumer joining the stream does.
    stream_.force_select();
    snapshots_.info.latest_fork_usec = aof_.info.latest_fork_usec;
    ++snapshots_.info.total_forks;
    spdlog::info("Background append only file rewriting started by pid {}",
                 static_cast<long>(aof_.child_pid()));
    after_child_change();
    return Ok{};
}

void Server::reap_aof_child() {
    if (!aof_.rewrite_in_progress()) return;
    const bool reaped = aof_.reap_child([](bool warn, const std::string& msg) {
        if (warn)
            spdlog::warn("{}", msg);
        else
            spdlog::info("{}", msg);
    });
    if (!reaped) return;
    // A failed rewrite of a node switching AOF on is retried.
    if (aof_.state() == AofState::WaitRewrite) aof_.info.rewrite_scheduled = true;
    after_child_change();
}

void Server::aof_cron() {
    reap_aof_child();
    if (!aof_.enabled() && !aof_.info.rewrite_scheduled) return;
    // A failed write is retried (replies wait meanwhile), a postponed one written when due.
    if (aof_.writer().is_open() && (aof_.writer().pending() > 0 || !aof_.writer().last_write_ok()))
        flush_aof();
    if (child_active()) return;
    if (aof_.rewrite_limited(static_cast<int64_t>(::time(nullptr)))) return;
    if (aof_.info.rewrite_scheduled) {
        (void)start_aof_rewrite();
        return;
    }
    if (aof_.growth_rewrite_due(cfg_.auto_aof_rewrite_percentage, cfg_.auto_aof_rewrite_min_size)) {
        const uint64_t base = aof_.info.rewrite_base_size ? aof_.info.rewrite_base_size : 1;
        spdlog::info("Starting automatic rewriting of AOF on {}% growth",
                     aof_.current_size() * 100 / base - 100);
        (void)start_aof_rewrite();
    }
}

Status Server::set_appendonly(bool on) {
    if (on == aof_.enabled()) return Ok{};
    if (!on) {
        propagate_pending();
        flush_aof(/*force=*/true);
        if (aof_.rewrite_in_progress())
            spdlog::warn("Killing running AOF rewrite child: {}",
                         static_cast<long>(aof_.child_pid()));
        aof_.switch_off();
        after_child_change();
        durable_offset_ = stream_.offset();
        return Ok{};
    }
    AofSettings& s = aof_.settings();
    s.appendfilename = cfg_.appendfilename;
    s.appenddirname = cfg_.appenddirname;
    s.rdb_preamble = cfg_.aof_use_rdb_preamble;
    s.checksums = cfg_.aof_checksums;
    aof_.switch_on();
    if (snapshots_.bgsave_in_progress() || in_exec_) {
        aof_.info.rewrite_scheduled = true;
        spdlog::info(
            "AOF was enabled but there is already another background operation. An AOF "
            "background was scheduled to start when possible.");
        return Ok{};
    }
    if (Status r = start_aof_rewrite(); !r) {
        aof_.switch_off();
        spdlog::warn(
            "Redis needs to enable the AOF but can't trigger a background AOF rewrite "
            "operation. Check the above logs for more info about the error.");
        return r;
    }
    return Ok{};
}

Status Server::load_data() {
    AofSettings& s = aof_.settings();
    s.appendfilename = cfg_.appendfilename;
    s.appenddirname = cfg_.appenddirname;
    s.rdb_preamble = cfg_.aof_use_rdb_preamble;
    s.checksums = cfg_.aof_checksums;
    if (cfg_.appendonly) return load_aof();
    // Not loaded, but a later CONFIG SET appendonly yes continues the directory's sequence.
    ManifestFile mf = read_aof_manifest(aof_.aof_dir(), cfg_.appendfilename);
    if (mf.state == AofDirState::Loaded) aof_.set_manifest(std::move(mf.manifest));
    stream_.set_origin(random_hex(40), 0);
    RdbLoadedAux aux;
    if (Status r = load_snapshot(false, &aux); !r) return r;
    // A snapshot that recorded its replication position (repl-id / repl-offset) continues it.
    if (aux.repl_id.size() == 40 && aux.repl_offset && *aux.repl_offset >= 0)
        adopt_loaded_position(aux.repl_id, static_cast<uint64_t>(*aux.repl_offset),
                              aux.repl_stream_db.value_or(0));
    return Ok{};
}

Status Server::load_aof() {
    const std::string dir = aof_.aof_dir();
    ManifestFile mf = read_aof_manifest(dir, cfg_.appendfilename);
    if (mf.state == AofDirState::Error) return make_error(mf.error);
    AofManifest m = std::move(mf.manifest);
    if (!m.base && m.incr.empty() && file_exists(cfg_.appendfilename)) {
        Result<std::optional<AofManifest>> up = upgrade_single_aof(".", dir, cfg_.appendfilename);
        if (!up) return make_error(up.error());
        if (*up) {
            m = std::move(**up);
            spdlog::info("Successfully migrated an old-style AOF into the AOF directory {}", dir);
        }
    }
    std::optional<StreamOrigin> position;
    if (Status r = replay_aof(m, position); !r) return r;
    if (position && position->replid.size() == 40)
        adopt_loaded_position(position->replid, position->offset, replay_db_);
    else
        stream_.set_origin(random_hex(40), 0);
    Status opened =
        aof_.open_on_startup(std::move(m), ks_, rdb_aux(), stream_.offset(), stream_.replid());
    if (!opened) return make_error("Can't open the append-only file: " + opened.error());
    durable_offset_ = stream_.offset();
    return Ok{};
}

Status Server::reload_aof() {
    if (aof_.enabled()) {
        propagate_pending();
        flush_aof(/*force=*/true);
    }
    for (int i = 0; i < ks_.count(); ++i) touch_all_watched_keys_in_db(i, -1);
    ks_.flush_all();
    std::optional<StreamOrigin> position;
    return replay_aof(aof_.manifest(), position);
}

Status Server::replay_aof(const AofManifest& m, std::optional<StreamOrigin>& position) {
    const std::string dir = aof_.aof_dir();
    std::vector<std::pair<std::string, bool>> files;  // name, is base
    if (m.base) files.emplace_back(m.base->name, true);
    for (const AofFileInfo& f : m.incr) files.emplace_back(f.name, false);
    loading_ = true;
    const int64_t t0 = monotonic_us();
    position.reset();
    uint64_t total_commands = 0;
    Status result = Ok{};
    for (size_t i = 0; i < files.size() && result.ok(); ++i) {
        const bool last = i + 1 == files.size();
        const std::string path = dir + "/" + files[i].first;
        MappedFile file;
        const char* stage = "open";
        if (int err = file.open(path, &stage); err != 0) {
            result = make_error("Can't open the append-only file " + path + ": " + stage + ": " +
                                std::strerror(err));
            break;
        }
        const std::span<const char> data = file.chars();
        size_t pos = 0;
        if (data.size() >= 5 && std::string_view(data.data(), 5) == "REDIS") {
            spdlog::info("Reading RDB base file on AOF loading...");
            KeyspaceLoadTarget target(ks_, wall_clock_ms(), /*drop_expired=*/false);
            RdbReadResult rr = read_rdb(file.bytes(), rdb_read_options(), target);
            if (!rr.error.empty()) {
                result = make_error("Bad file format reading the append only file " + path + ": " +
                                    rr.error + " at offset " + std::to_string(rr.error_offset));
                break;
            }
            pos = static_cast<size_t>(rr.bytes);
            if (pos < data.size()) spdlog::info("Reading the remaining AOF tail...");
        }
        AofScanner scanner(data.subspan(pos));
        Replayer replayer(*this);
        std::vector<std::string_view> argv;
        bool done = false;
        while (!done) {
            switch (scanner.next(argv)) {
                case AofScanner::Step::Command:
                    if (Status r = replayer.apply(argv); !r) {
                        result = make_error("Bad file format reading the append only file " + path +
                                            ": " + r.error() + " at offset " +
                                            std::to_string(pos + scanner.command_offset()) + ". " +
                                            kCheckAofHint);
                        done = true;
                    }
                    break;
                case AofScanner::Step::End:
                    done = true;
                    break;
                case AofScanner::Step::Truncated: {
                    const uint64_t cut = pos + scanner.valid_up_to();
                    if (!last || !cfg_.aof_load_truncated) {
                        result = make_error(
                            (last ? "Unexpected end of file reading the append only file "
                                  : "Fatal error: the truncated file is not the last file: ") +
                            path + " (" + scanner.error() + " at offset " +
                            std::to_string(pos + scanner.error_offset()) + "). " + kCheckAofHint);
                        done = true;
                        break;
                    }
                    spdlog::warn("!!! Warning: short read while loading the AOF file {}!!!", path);
                    spdlog::warn("!!! Truncating the AOF {} at offset {} !!!", path, cut);
                    if (::truncate(path.c_str(), static_cast<off_t>(cut)) != 0) {
                        result = make_error("Error truncating the AOF file " + path + ": " +
                                            std::strerror(errno));
                    } else {
                        replayer.discard_multi();
                        spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled",
                                     path);
                    }
                    done = true;
                    break;
                }
                case AofScanner::Step::Corrupt:
                    result = make_error("Bad file format reading the append only file " + path +
                                        ": " + scanner.error() + " at offset " +
                                        std::to_string(pos + scanner.error_offset()) + ". " +
                                        kCheckAofHint);
                    done = true;
                    break;
            }
        }
        total_commands += replayer.commands();
        replay_db_ = replayer.db();
        if (!files[i].second) {
            if (scanner.origin())
                position = StreamOrigin{scanner.origin()->offset + scanner.stream_bytes(),
                                        scanner.origin()->replid};
            else
                position.reset();
        }
        if (result.ok())
            spdlog::info("DB loaded from {} file {}: {:.3f} seconds",
                         files[i].second ? "base" : "incr", files[i].first,
                         static_cast<double>(monotonic_us() - t0) / 1e6);
    }
    loading_ = false;
    if (!result) return result;
    stats_.dirty = 0;
    ks_.stats = KeyspaceStats{};
    if (!files.empty())
        spdlog::info("DB loaded from append only file: {:.3f} seconds ({} commands)",
                     static_cast<double>(monotonic_us() - t0) / 1e6, total_commands);
    return Ok{};
}

}  // namespace snapstream
