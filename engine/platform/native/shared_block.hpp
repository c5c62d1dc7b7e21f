#pragma once

// Between the native shared memory and the native process workers: the block is a memfd the
// parent creates on first use and every worker receives as this fd at start-up.
namespace samovar::platform::shared_memory {

constexpr int kWorkerFd = 4;
// The parent's memfd (created on first use); a worker process maps its kWorkerFd instead.
int block_fd();

}  // namespace samovar::platform::shared_memory
