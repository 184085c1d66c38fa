#include "results/results_store.h"

#include <sqlite3.h>

#include <cstring>
#include <ctime>
#include <functional>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "common/crash_point.h"

namespace ganbench {
namespace {

constexpr int kBusyTimeoutMs = 10000;  // wait for a concurrent writer before failing
constexpr int kSchemaVersion = 2;  // 2: artefacts.sha256

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps(name TEXT PRIMARY KEY, config_yaml TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cells(
  id TEXT PRIMARY KEY, sweep TEXT NOT NULL, architecture TEXT NOT NULL, modality TEXT NOT NULL, seed INTEGER NOT NULL,
  config_hash TEXT NOT NULL, config_yaml TEXT NOT NULL, status TEXT NOT NULL, started TEXT, finished TEXT,
  train_seconds REAL, total_seconds REAL, host TEXT, device TEXT, threads INTEGER, error TEXT);
CREATE TABLE IF NOT EXISTS metrics(cell_id TEXT NOT NULL, name TEXT NOT NULL, step INTEGER NOT NULL, value REAL,
  PRIMARY KEY(cell_id, name, step));
CREATE TABLE IF NOT EXISTS artefacts(cell_id TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL,
  sha256 TEXT, PRIMARY KEY(cell_id, kind));
)SQL";

// SQLite's message, with the operating system's reason when there is one ("disk I/O error: No space left
// on device").
std::string db_error(sqlite3* db) {
  std::string msg = sqlite3_errmsg(db);
  const int sys = sqlite3_system_errno(db);
  const int code = sqlite3_extended_errcode(db);
  if (sys != 0 && ((code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_FULL ||
                   (code & 0xff) == SQLITE_CANTOPEN))
    msg += ": " + std::string(std::strerror(sys));
  return msg;
}

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql, const std::filesystem::path& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK)
      throw std::runtime_error(fmt::format("{}: SQL error: {}", path.string(), db_error(db)));
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(st_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // "" as NULL (the columns a running or finished cell leaves NULL: finished, error).
  Stmt& bind_or_null(int i, const std::string& v) {
    if (v.empty()) {
      sqlite3_bind_null(st_, i);
      return *this;
    }
    return bind(i, v);
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(st_, i, v);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(
        fmt::format("{}: database write failed: {}", path_.string(), db_error(db_)));
  }
  void run() {
    step();
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  std::string text(int i) const {
    auto p = sqlite3_column_text(st_, i);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  int64_t integer(int i) const { return sqlite3_column_int64(st_, i); }
  double real(int i) const { return sqlite3_column_double(st_, i); }

 private:
  sqlite3* db_;
  const std::filesystem::path& path_;
  sqlite3_stmt* st_ = nullptr;
};

const char* kCellColumns =
    "id, sweep, architecture, modality, seed, config_hash, config_yaml, status, started, finished, "
    "train_seconds, "
    "total_seconds, host, device, threads, error";

CellRecord read_cell(const Stmt& s) {
  CellRecord c;
  c.id = s.text(0);
  c.sweep = s.text(1);
  c.architecture = s.text(2);
  c.modality = s.text(3);
  c.seed = s.integer(4);
  c.config_hash = s.text(5);
  c.config_yaml = s.text(6);
  c.status = s.text(7);
  c.started = s.text(8);
  c.finished = s.text(9);
  c.train_seconds = s.real(10);
  c.total_seconds = s.real(11);
  c.host = s.text(12);
  c.device = s.text(13);
  c.threads = s.integer(14);
  c.error = s.text(15);
  return c;
}

}  // namespace

std::string utc_now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

ResultsStore::ResultsStore(const std::filesystem::path& db_path, bool create) : path_(db_path) {
  if (!create && !std::filesystem::exists(db_path))
    throw std::runtime_error(fmt::format("{}: no results database here", db_path.string()));
  if (create && !db_path.parent_path().empty()) std::filesystem::create_directories(db_path.parent_path());
  const int flags = create ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(db_path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(fmt::format("{}: cannot open results database: {}", db_path.string(), msg));
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    // WAL: readers (`ganbench report` during a run) see a consistent snapshot and never block the writer.
    if (create) exec("PRAGMA journal_mode = WAL;");
    exec("PRAGMA foreign_keys = ON;");
    exec(std::string("BEGIN;") + kSchema + "COMMIT;");
    std::optional<int> found;
    {
      Stmt v(db_, "SELECT value FROM meta WHERE key = 'schema_version'", path_);
      if (v.step()) found = std::stoi(v.text(0));
    }
    if (found == 1) {  // version 1 -> 2: artefacts gain their SHA-256 (NULL for the rows written before)
      exec("BEGIN; ALTER TABLE artefacts ADD COLUMN sha256 TEXT; "
           "UPDATE meta SET value = '2' WHERE key = 'schema_version'; COMMIT;");
    } else if (found && *found != kSchemaVersion) {
      throw std::runtime_error(fmt::format("{}: schema version {} is not the supported {}", path_.string(), *found,
                                           kSchemaVersion));
    } else if (!found) {
      Stmt(db_, "INSERT INTO meta(key, value) VALUES('schema_version', ?)", path_)
          .bind(1, std::to_string(kSchemaVersion))
          .run();
    }
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

ResultsStore::~ResultsStore() { sqlite3_close(db_); }

void ResultsStore::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? db_error(db_) : "unknown error";
    sqlite3_free(err);
    sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
    throw std::runtime_error(fmt::format("{}: database error: {}", path_.string(), msg));
  }
}

namespace {
// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back on any exception.
template <typename F>
void transaction(sqlite3* db, const std::filesystem::path& path, F&& body) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE;", nullptr, nullptr, nullptr) != SQLITE_OK)
    throw std::runtime_error(
        fmt::format("{}: cannot start a transaction: {}", path.string(), db_error(db)));
  try {
    body();
    crash_point("db_commit");  // the rows are written, the commit not yet done
    if (sqlite3_exec(db, "COMMIT;", nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(fmt::format("{}: commit failed: {}", path.string(), db_error(db)));
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK;", nullptr, nullptr, nullptr);
    throw;
  }
}

// The cell row exactly as given ("" stays NULL), replacing any row of that id.
void insert_cell(sqlite3* db, const std::filesystem::path& path, const CellRecord& c) {
  Stmt(db,
       fmt::format("INSERT OR REPLACE INTO cells({}) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   kCellColumns),
       path)
      .bind(1, c.id)
      .bind(2, c.sweep)
      .bind(3, c.architecture)
      .bind(4, c.modality)
      .bind(5, c.seed)
      .bind(6, c.config_hash)
      .bind(7, c.config_yaml)
      .bind(8, c.status)
      .bind_or_null(9, c.started)
      .bind_or_null(10, c.finished)
      .bind(11, c.train_seconds)
      .bind(12, c.total_seconds)
      .bind(13, c.host)
      .bind(14, c.device)
      .bind(15, c.threads)
      .bind_or_null(16, c.error)
      .run();
}

void insert_metrics(sqlite3* db, const std::filesystem::path& path, const std::vector<MetricRow>& rows) {
  Stmt s(db, "INSERT OR REPLACE INTO metrics(cell_id, name, step, value) VALUES(?, ?, ?, ?)", path);
  for (const auto& r : rows) s.bind(1, r.cell_id).bind(2, r.name).bind(3, r.step).bind(4, r.value).run();
}
}  // namespace

void ResultsStore::record_sweep(const std::string& name, const std::string& config_yaml) {
  transaction(db_, path_, [&] {
    Stmt(db_, "INSERT OR REPLACE INTO sweeps(name, config_yaml, created) VALUES(?, ?, ?)", path_)
        .bind(1, name)
        .bind(2, config_yaml)
        .bind(3, utc_now_iso())
        .run();
  });
}

std::optional<CellRecord> ResultsStore::find_cell(const std::string& id) const {
  Stmt s(db_, fmt::format("SELECT {} FROM cells WHERE id = ?", kCellColumns), path_);
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_cell(s);
}

void ResultsStore::begin_cell(const CellRecord& c) {
  CellRecord r = c;
  r.status = "running";
  r.finished.clear();
  r.error.clear();
  r.train_seconds = r.total_seconds = 0;
  transaction(db_, path_, [&] { insert_cell(db_, path_, r); });
}

void ResultsStore::add_metrics(const std::vector<MetricRow>& rows) {
  if (rows.empty()) return;
  transaction(db_, path_, [&] { insert_metrics(db_, path_, rows); });
}

void ResultsStore::finish_cell(const CellRecord& c, const std::vector<MetricRow>& metrics,
                               const std::vector<ArtefactRow>& artefacts) {
  transaction(db_, path_, [&] {
    insert_metrics(db_, path_, metrics);
    Stmt a(db_, "INSERT OR REPLACE INTO artefacts(cell_id, kind, path, sha256) VALUES(?, ?, ?, ?)", path_);
    for (const auto& r : artefacts) a.bind(1, r.cell_id).bind(2, r.kind).bind(3, r.path).bind(4, r.sha256).run();
    Stmt(db_,
         "UPDATE cells SET status = 'done', finished = ?, train_seconds = ?, total_seconds = ?, error = NULL "
         "WHERE id = ?",
         path_)
        .bind(1, c.finished)
        .bind(2, c.train_seconds)
        .bind(3, c.total_seconds)
        .bind(4, c.id)
        .run();
  });
}

void ResultsStore::import_cell(const CellRecord& c, const std::vector<MetricRow>& metrics,
                               const std::vector<ArtefactRow>& artefacts) {
  transaction(db_, path_, [&] {
    Stmt(db_, "DELETE FROM metrics WHERE cell_id = ?", path_).bind(1, c.id).run();
    Stmt(db_, "DELETE FROM artefacts WHERE cell_id = ?", path_).bind(1, c.id).run();
    insert_cell(db_, path_, c);
    insert_metrics(db_, path_, metrics);
    Stmt a(db_, "INSERT OR REPLACE INTO artefacts(cell_id, kind, path, sha256) VALUES(?, ?, ?, ?)", path_);
    for (const auto& r : artefacts) a.bind(1, r.cell_id).bind(2, r.kind).bind(3, r.path).bind(4, r.sha256).run();
  });
}

void ResultsStore::fail_cell(const std::string& id, const std::string& error, double total_seconds,
                             const std::string& status) {
  transaction(db_, path_, [&] {
    Stmt(db_, "UPDATE cells SET status = ?, finished = ?, total_seconds = ?, error = ? WHERE id = ?", path_)
        .bind(1, status)
        .bind(2, utc_now_iso())
        .bind(3, total_seconds)
        .bind(4, error)
        .bind(5, id)
        .run();
  });
}

std::string ResultsStore::integrity_problems() const {
  Stmt s(db_, "PRAGMA integrity_check;", path_);
  std::string out;
  while (s.step())
    if (s.text(0) != "ok") out += s.text(0) + "\n";
  return out;
}

void ResultsStore::read_snapshot(const std::function<void()>& reads) const {
  exec("BEGIN DEFERRED;");
  try {
    reads();
  } catch (...) {
    exec("ROLLBACK;");
    throw;
  }
  exec("COMMIT;");
}

std::vector<CellRecord> ResultsStore::cells() const {
  Stmt s(db_, fmt::format("SELECT {} FROM cells ORDER BY architecture, modality, seed", kCellColumns), path_);
  std::vector<CellRecord> out;
  while (s.step()) out.push_back(read_cell(s));
  return out;
}

std::vector<MetricRow> ResultsStore::metrics(const std::string& cell_id) const {
  Stmt s(db_,
         std::string("SELECT cell_id, name, step, value FROM metrics") +
             (cell_id.empty() ? "" : " WHERE cell_id = ?") + " ORDER BY cell_id, name, step",
         path_);
  if (!cell_id.empty()) s.bind(1, cell_id);
  std::vector<MetricRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), s.real(3)});
  return out;
}

std::vector<ArtefactRow> ResultsStore::artefacts(const std::string& cell_id) const {
  Stmt s(db_,
         std::string("SELECT cell_id, kind, path, sha256 FROM artefacts") +
             (cell_id.empty() ? "" : " WHERE cell_id = ?") + " ORDER BY cell_id, kind",
         path_);
  if (!cell_id.empty()) s.bind(1, cell_id);
  std::vector<ArtefactRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3)});
  return out;
}

std::vector<std::pair<std::string, std::string>> ResultsStore::sweeps() const {
  Stmt s(db_, "SELECT name, config_yaml FROM sweeps ORDER BY name", path_);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

}  // namespace ganbench
