// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// libpq, loaded when a PostgreSQL history is first opened (dlopen), not when perfcheck starts:
// linked, it and the TLS and Kerberos libraries behind it would add megabytes to the peak RSS of
// every perfcheck process, which gates its own footprint (bench.perfcheck_200_launches).
#pragma once

#include <libpq-fe.h>

namespace perfcheck::store::detail {

#define PERFCHECK_LIBPQ_FUNCTIONS(X)                                                                   \
  X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdbParams) X(PQerrorMessage) X(PQexec) X(PQfinish) \
  X(PQgetResult) X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQprepare) X(PQresultErrorField)        \
  X(PQresultErrorMessage) X(PQresultStatus) X(PQsendQueryPrepared) X(PQsetNoticeProcessor)             \
  X(PQsetSingleRowMode) X(PQstatus) X(PQtransactionStatus)

/// The libpq functions perfcheck calls, by their own names.
struct libpq_api {
#define PERFCHECK_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  PERFCHECK_LIBPQ_FUNCTIONS(PERFCHECK_LIBPQ_MEMBER)
#undef PERFCHECK_LIBPQ_MEMBER
};

/// libpq (libpq.so.5), loaded on first use and kept; throws history_error (refused) naming
/// `location` when it cannot be loaded, with the package to install.
const libpq_api& libpq(const std::string& location);

}  // namespace perfcheck::store::detail
