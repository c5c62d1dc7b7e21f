#pragma once
// Emscripten 3.1.6's libc++ ships coroutines only as <experimental/coroutine>; g++ has the
// standard header. The engine names them through this one alias.
#if __has_include(<coroutine>)
#include <coroutine>
namespace samovar::coro {
using std::coroutine_handle;
using std::noop_coroutine;
using std::suspend_always;
using std::suspend_never;
}  // namespace samovar::coro
#else
#include <experimental/coroutine>
namespace samovar::coro {
using std::experimental::coroutine_handle;
using std::experimental::noop_coroutine;
using std::experimental::suspend_always;
using std::experimental::suspend_never;
}  // namespace samovar::coro
#endif
