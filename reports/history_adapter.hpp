// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The history store as a report model: the only place reports/ knows the store.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "perfcheck/store/history_store.hpp"
#include "reports/report_model.hpp"

namespace perfcheck::reports {

/// The report of one session of `history`: `session` is an id from 'perfcheck history list',
/// "latest" (the most recent session) or "(none)" (results recorded without a session).
/// Per test of that session: its series on the same machine and spec (every branch, oldest
/// first), the session's result with its runs, the change against the baseline: the gate's
/// own regression finding when the result has one (the most severe), else the relative change
/// of wall time against the baseline pool before it (run::history_baseline_query, as the gate
/// pools it: on a feature branch the default branch's, at the merge base when known) with
/// its 99% interval (stats::relative_change), and the memory timeline of the run with the
/// highest memory. Text from the file is made valid UTF-8. An empty history gives an empty
/// model; an unknown session throws usage_error naming it and `perfcheck history list`.
/// With `open_connection`, up to `connections` connections (this one and more it opens) read
/// the tests' series at once, one thread each; errors of any are rethrown.
/// `machine_scope` (--machine): "" or "this" as above; "all" or a fingerprint also fills each
/// test's `machines` (machine_series.hpp: read_machine_series); a fingerprint the history has
/// no result on throws usage_error listing those it has.
report_model model_from_history(
    store::history_store& history, std::string_view session, std::string generator_version,
    const std::function<std::unique_ptr<store::history_store>()>& open_connection = {},
    unsigned connections = 1, std::string_view machine_scope = {});

/// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so that every format stays
/// well-formed whatever a history holds.
std::string valid_utf8(std::string_view text);

/// An older result of a test's trend from its series point: only the metrics the charts draw
/// (`keep`), so that a long history stays small in memory. Takes the point's strings.
report_result result_of(store::series_point& p, const std::vector<std::string>& keep);

}  // namespace perfcheck::reports
