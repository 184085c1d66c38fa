// The results database: SQLite at <run>/results.db. Every write is a transaction; a cell becomes `done`
// in the same transaction that commits its final metrics, so --resume skips exactly the finished cells.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace ganbench {

struct CellRecord {
  std::string id;  // "<architecture>-<modality>-s<seed>"
  std::string sweep;
  std::string architecture;
  std::string modality;
  int64_t seed = 0;
  std::string config_hash;        // FNV-1a of the cell's resolved config (output folder excluded)
  std::string config_yaml;        // the cell's resolved config
  std::string status;             // pending | running | done | failed
  std::string started, finished;  // UTC ISO-8601
  double train_seconds = 0;       // wall time in the training loop, this attempt
  double total_seconds = 0;       // wall time of the whole cell, this attempt
  std::string host, device;
  int64_t threads = 0;
  std::string error;  // why it failed
};

struct MetricRow {
  std::string cell_id;
  std::string name;  // e.g. "fd_handcrafted", "loss_d"
  int64_t step;      // training step the value belongs to
  double value;
};

struct ArtefactRow {
  std::string cell_id;
  std::string kind;  // e.g. "samples", "checkpoint", "config"
  std::string path;    // relative to the run folder
  std::string sha256;  // of the file when it was recorded (checkpoints); "" = not recorded
};

class ResultsStore {
 public:
  // Opens (creating when asked) the database and its schema; throws naming the path.
  explicit ResultsStore(const std::filesystem::path& db_path, bool create = true);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  void record_sweep(const std::string& name, const std::string& config_yaml);
  std::optional<CellRecord> find_cell(const std::string& id) const;
  // Inserts or replaces the cell with status `running` and clears its error.
  void begin_cell(const CellRecord& cell);
  void add_metrics(const std::vector<MetricRow>& rows);
  // One transaction: metrics, artefacts, timings, then status = done.
  void finish_cell(const CellRecord& cell, const std::vector<MetricRow>& metrics,
                   const std::vector<ArtefactRow>& artefacts);
  // status = `status` ("failed", or "interrupted" for a stop signal) with the error text.
  void fail_cell(const std::string& id, const std::string& error, double total_seconds,
                 const std::string& status = "failed");

  // One transaction: the cell exactly as given (every field, status included) replaces any row of that id,
  // with its metrics and artefacts replacing the old ones. How `ganbench merge` gathers Slurm shards.
  void import_cell(const CellRecord& cell, const std::vector<MetricRow>& metrics,
                   const std::vector<ArtefactRow>& artefacts);
  std::vector<CellRecord> cells() const;
  std::vector<MetricRow> metrics(const std::string& cell_id = "") const;
  std::vector<ArtefactRow> artefacts(const std::string& cell_id = "") const;
  std::vector<std::pair<std::string, std::string>> sweeps() const;  // name, config yaml

  // SQLite's PRAGMA integrity_check: empty when the database is sound, else its findings, one per line.
  std::string integrity_problems() const;

  const std::filesystem::path& path() const { return path_; }
  // Runs `reads` inside one read transaction: in WAL mode (every database ganbench creates) they all see one
  // committed snapshot, while a run goes on writing.
  void read_snapshot(const std::function<void()>& reads) const;

 private:
  void exec(const std::string& sql) const;
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

std::string utc_now_iso();

}  // namespace ganbench
