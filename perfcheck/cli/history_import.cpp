// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/history_import.hpp"

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/ingest/google_benchmark.hpp"
#include "perfcheck/ingest/hyperfine.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

// Whether the file's first key is "schema", as in every file perfcheck writes: such a file is
// streamed (an export may be far larger than memory); anything else is read whole.
bool starts_with_schema(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[256] = {};
  in.read(head, sizeof head - 1);
  std::string_view text(head, static_cast<std::size_t>(in.gcount()));
  const auto skip = [&] {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' ||
                             text.front() == '\t')) {
      text.remove_prefix(1);
    }
  };
  skip();
  if (!text.starts_with('{')) return false;
  text.remove_prefix(1);
  skip();
  return text.starts_with("\"schema\"");
}

// Another tool's benchmarks, with the context the request gives them; empty when the file is
// neither Google Benchmark nor hyperfine JSON. `kind` names what it was.
std::vector<ingest::ingested_benchmark> foreign_results(const std::string& path, std::string& kind) {
  const boost::json::value json = read_json_file(path);
  if (ingest::is_google_benchmark(json)) {
    kind = "Google Benchmark JSON";
    return ingest::read_google_benchmark(json, path);
  }
  if (ingest::is_hyperfine(json)) {
    kind = "hyperfine JSON";
    return ingest::read_hyperfine(json, path, ingest::modified_at(path));
  }
  return {};
}

run_context foreign_context(const import_request& request) {
  run_context c;
  c.machine = request.machine == "this" ? run::machine_fingerprint(run::collect_environment())
                                         : request.machine;
  c.git_branch = request.branch;
  c.git_commit = request.commit;
  return c;
}

// A file's results in one transaction. A file of one result (a result file, as `ctest -j` leaves
// one per test) adds to one series, as `perfcheck run` does, so importers of other series need not
// wait; a larger file is one batch, its writer taking the history's write turn.
class file_adder {
 public:
  explicit file_adder(store::history_store& history) : history_(history) {}
  void add(store::stored_result&& entry) {
    ++read_;
    if (!first_) {
      first_ = std::move(entry);
      return;
    }
    if (!batch_) {
      batch_ = history_.begin_batch();
      added_ += batch_->add(*first_) ? 1 : 0;
    }
    added_ += batch_->add(entry) ? 1 : 0;
  }
  std::size_t read() const { return read_; }
  std::size_t commit() {
    if (batch_) {
      batch_->commit();
    } else if (first_) {
      added_ = history_.add(std::span<const store::stored_result>(&*first_, 1));
    }
    return added_;
  }

 private:
  store::history_store& history_;
  std::optional<store::stored_result> first_;
  std::unique_ptr<store::history_batch> batch_;
  std::size_t read_ = 0, added_ = 0;
};

// One file in one transaction; returns the line to print once it is committed.
std::string import_file(store::history_store& history, const run_context& foreign, const std::string& file) {
  file_adder adder(history);
  std::string kind;
  const auto stream = [&] {
    store::stream_history_file(file, [&](store::stored_result&& entry) { adder.add(std::move(entry)); });
  };
  if (starts_with_schema(file)) {
    stream();
  } else if (auto benchmarks = foreign_results(file, kind); !benchmarks.empty()) {
    for (auto& b : benchmarks) {
      b.result.context = foreign;
      store::check_imported_result(b.result, file, "");
      adder.add(store::stored_result_for(b.result));
    }
  } else {
    stream();  // neither: the history reader says what a perfcheck file must look like
  }
  const std::size_t added = adder.commit(), read = adder.read();
  std::string line = fmt::format("{}: {} new, {} already present", file, added, read - added);
  if (!kind.empty()) {
    line += fmt::format(" ({}; machine {}, branch {})", kind,
                        foreign.machine.empty() ? "unknown" : foreign.machine,
                        foreign.git_branch.empty() ? "unknown" : foreign.git_branch);
  }
  return line;
}

int import_files(const import_request& given) {
  import_request request = given;
  request.location = store::history_location(given.location);
  if (request.location.empty()) throw usage_error("no history file; give --history FILE or set PERFCHECK_HISTORY");
  return import_history_files(request);
}

}  // namespace

std::function<int()> add_history_import_verb(CLI::App* history) {
  auto f = std::make_shared<import_request>();
  CLI::App* verb = history->add_subcommand(
      "import", "Add exported histories, result files, Google Benchmark or hyperfine JSON; results "
                "already present are skipped");
  verb->add_option("files", f->files,
                   "History exports (perfcheck/history/v1), result files (perfcheck/result/v1), "
                   "Google Benchmark JSON (--benchmark_format=json) or hyperfine JSON "
                   "(--export-json); each is one transaction")
      ->type_name("FILE...")
      ->required();
  verb->add_option("--machine", f->machine,
                   "The machine fingerprint to record Google Benchmark and hyperfine results under "
                   "('this': this machine's, as perfcheck run records it) [default: none]")
      ->type_name("FINGERPRINT");
  verb->add_option("--branch", f->branch, "Their git branch [default: none]")->type_name("BRANCH");
  verb->add_option("--commit", f->commit, "Their git commit [default: none]")->type_name("COMMIT");
  verb->add_option("--history", f->location, "The history: an SQLite file or postgresql://... [default: $PERFCHECK_HISTORY]")
      ->type_name("HISTORY");
  return [f, verb]() -> int { return verb->parsed() ? import_files(*f) : -1; };
}

int import_history_files(const import_request& request) {
  auto history = store::open_history(request.location, true);
  const run_context foreign = foreign_context(request);
  int bad = 0;
  for (const auto& file : request.files) {
    try {
      const std::string line = import_file(*history, foreign, file);
      std::printf("%s\n", terminal_safe(line).c_str());
      std::fflush(stdout);  // a line means: committed
    } catch (const usage_error& e) {
      std::fprintf(stderr, "error: %s\n", terminal_safe(e.what()).c_str());
      ++bad;
    }
  }
  return bad == 0 ? exit_ok : exit_usage;
}

}  // namespace perfcheck::cli
