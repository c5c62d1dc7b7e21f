#pragma once
// Every maximum an input can reach, in one place: the request's fields, and what `samovar
// serve` accepts from the network. Each is checked where the input enters, against these
// names, and each has a test for the value just past it.
#include <cstddef>

namespace samovar::contract::limits {

// The request.
inline constexpr double kMinScale = 0.001, kMaxScale = 10;
inline constexpr double kMaxSeed = 4294967295.0;
inline constexpr double kMinDeadlineS = 0.1, kMaxDeadlineS = 3600;
inline constexpr double kMaxLines = 1e6;
inline constexpr double kMaxSpans = 1e7;
// Runs of one request, for a median: deadline_s bounds them all together.
inline constexpr double kMaxRepeat = 20;
// An explored schedule (schedule "explore"): PCT's bug depth, and its steps (k, the length of
// the schedules its change points are drawn over).
inline constexpr double kMaxExploreDepth = 10;
inline constexpr double kMaxExploreSteps = 1e8;
// Schedules one exploration runs (samovar explore --runs).
inline constexpr int kMaxExploreRuns = 1'000'000;
inline constexpr std::size_t kMaxText = 2048;             // any string field or param
inline constexpr std::size_t kMaxDepth = 32;              // objects and arrays within each other
inline constexpr std::size_t kMaxRequestBytes = 1 << 20;  // a request's JSON text

// ---- What `samovar serve` accepts ----
// /api/run is reachable from every page the user's browser opens, so a served run is held to
// less than the request allows (DESIGN.md, Surfaces); the CLI keeps the request's maxima.

// One native run at a time; a second gets 429 with Retry-After (seconds). With one run, the
// worker processes alive at once are at most platform::process::max_workers() (64).
inline constexpr int kServeMaxRunsAtOnce = 1;
inline constexpr int kServeRetryAfterS = 5;
// A served run's deadline_s, max_lines and max_spans past these are a 400 naming the field:
// at the request's maxima one answer was 89 MB and the server grew to 1.5 GB.
inline constexpr double kServeMaxDeadlineS = 60;
inline constexpr double kServeMaxLines = 10'000;
inline constexpr double kServeMaxSpans = 200'000;
// Connections open at once; past it a new one gets 503 and is closed. Kept below the fd
// limit (RLIMIT_NOFILE) less kServeSpareFds, which runs need (pipes, worker processes).
inline constexpr std::size_t kServeMaxConnections = 512;
inline constexpr std::size_t kServeSpareFds = 128;
// When accept() finds no fd (EMFILE, ENFILE), the listener rests this long, not spinning.
inline constexpr double kServeAcceptBackoffS = 0.1;
// The whole request head, from its first byte, and then the whole body must arrive within
// these, however slowly the bytes trickle in (slowloris); an idle keep-alive connection is
// closed after kServeIdleS.
inline constexpr double kServeHeadTimeoutS = 10;
inline constexpr double kServeBodyTimeoutS = 30;
inline constexpr double kServeIdleS = 30;

}  // namespace samovar::contract::limits
