// An I/O fault for the real daemon, loaded with LD_PRELOAD: while the file
// named by SHOUHU_IO_FAULT exists, every fsync/fdatasync of a file whose
// path starts with SHOUHU_IO_FAULT_DIR fails with EIO, as a dying disk's
// would. RocksDB syncs its write-ahead log with fdatasync (or fsync), so an
// acknowledged commit is one whose sync succeeded: the test can check that
// none of those is lost, and that a write whose sync failed is refused.
//
// Nothing else is changed: writes still reach the page cache, reads work,
// and with the control file absent every call goes straight to libc.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

int Faulty(int fd) {
  const char* control = getenv("SHOUHU_IO_FAULT");
  const char* dir = getenv("SHOUHU_IO_FAULT_DIR");
  if (!control || !dir || access(control, F_OK) != 0) return 0;
  char link[64];
  char path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  return strncmp(path, dir, strlen(dir)) == 0;
}

using SyncFn = int (*)(int);

int Forward(const char* name, int fd) {
  auto real = reinterpret_cast<SyncFn>(dlsym(RTLD_NEXT, name));
  if (Faulty(fd)) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}

}  // namespace

extern "C" int fsync(int fd) { return Forward("fsync", fd); }
extern "C" int fdatasync(int fd) { return Forward("fdatasync", fd); }
