#include "journal/power_cut_vfs.h"

#include <sqlite3.h>

#include <string>

namespace seqgate::journal {
namespace {

sqlite3_vfs* g_real = nullptr;
PowerCutModel* g_model = nullptr;

// Our file object; the real VFS's object follows it in the same allocation.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  int handle;  // PowerCutModel handle, -1 when not tracked
  std::string* path;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int ShimClose(sqlite3_file* f) {
  auto* p = reinterpret_cast<ShimFile*>(f);
  int rc = p->real->pMethods != nullptr ? p->real->pMethods->xClose(p->real) : SQLITE_OK;
  if (p->handle >= 0) {
    auto lock = g_model->Lock();
    g_model->Untrack(p->handle);
  }
  delete p->path;
  p->path = nullptr;
  return rc;
}

int ShimRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}

int ShimWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  auto* p = reinterpret_cast<ShimFile*>(f);
  if (p->handle < 0) return p->real->pMethods->xWrite(p->real, buf, n, off);
  auto lock = g_model->Lock();
  g_model->BeforeWrite(p->handle, static_cast<uint64_t>(off), static_cast<uint64_t>(n));
  const int rc = p->real->pMethods->xWrite(p->real, buf, n, off);
  g_model->Tick(DurabilityOp::kWrite, *p->path);
  return rc;
}

int ShimTruncate(sqlite3_file* f, sqlite3_int64 size) {
  auto* p = reinterpret_cast<ShimFile*>(f);
  if (p->handle < 0) return p->real->pMethods->xTruncate(p->real, size);
  auto lock = g_model->Lock();
  g_model->BeforeTruncate(p->handle, static_cast<uint64_t>(size));
  const int rc = p->real->pMethods->xTruncate(p->real, size);
  g_model->Tick(DurabilityOp::kTruncate, *p->path);
  return rc;
}

int ShimSync(sqlite3_file* f, int flags) {
  auto* p = reinterpret_cast<ShimFile*>(f);
  if (p->handle < 0) return p->real->pMethods->xSync(p->real, flags);
  auto lock = g_model->Lock();
  const int rc = p->real->pMethods->xSync(p->real, flags);
  if (rc == SQLITE_OK) g_model->AfterSync(p->handle);
  g_model->Tick(DurabilityOp::kSync, *p->path);
  return rc;
}

int ShimFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int ShimLock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int ShimUnlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int ShimCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int ShimFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int ShimSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int ShimDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShimShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, out);
}
int ShimShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShimShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShimShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int ShimFetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int ShimUnfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kShimMethods = {
    3,
    ShimClose,
    ShimRead,
    ShimWrite,
    ShimTruncate,
    ShimSync,
    ShimFileSize,
    ShimLock,
    ShimUnlock,
    ShimCheckReservedLock,
    ShimFileControl,
    ShimSectorSize,
    ShimDeviceCharacteristics,
    ShimShmMap,
    ShimShmLock,
    ShimShmBarrier,
    ShimShmUnmap,
    ShimFetch,
    ShimUnfetch,
};

int ShimOpen(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* p = reinterpret_cast<ShimFile*>(f);
  p->real = reinterpret_cast<sqlite3_file*>(p + 1);
  p->handle = -1;
  p->path = nullptr;
  const int rc = g_real->xOpen(g_real, name, p->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set, and only if the real open set its own.
  p->base.pMethods = p->real->pMethods != nullptr ? &kShimMethods : nullptr;
  if (rc != SQLITE_OK || name == nullptr) return rc;
  constexpr int kTracked = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL;
  if ((flags & kTracked) != 0) {
    p->path = new std::string(name);
    auto lock = g_model->Lock();
    p->handle = g_model->Track(-1, *p->path);
  }
  return rc;
}

int ShimDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int ShimAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int ShimFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* ShimDlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void ShimDlError(sqlite3_vfs*, int n, char* msg) { g_real->xDlError(g_real, n, msg); }
void (*ShimDlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return g_real->xDlSym(g_real, h, sym);
}
void ShimDlClose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int ShimRandomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int ShimSleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int ShimCurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int ShimGetLastError(sqlite3_vfs*, int n, char* out) {
  return g_real->xGetLastError(g_real, n, out);
}
int ShimCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}
int ShimSetSystemCall(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr fn) {
  return g_real->xSetSystemCall(g_real, name, fn);
}
sqlite3_syscall_ptr ShimGetSystemCall(sqlite3_vfs*, const char* name) {
  return g_real->xGetSystemCall(g_real, name);
}
const char* ShimNextSystemCall(sqlite3_vfs*, const char* name) {
  return g_real->xNextSystemCall(g_real, name);
}

}  // namespace

Status InstallPowerCutVfs(PowerCutModel* model) {
  if (g_real != nullptr) return Internal("the power-cut VFS is already installed");
  if (sqlite3_initialize() != SQLITE_OK) return Internal("sqlite3_initialize failed");
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr || g_real->iVersion < 3) return Internal("no usable default SQLite VFS");
  g_model = model;
  static sqlite3_vfs shim{};  // registered for the rest of the process
  shim.iVersion = 3;
  shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
  shim.mxPathname = g_real->mxPathname;
  shim.zName = "seqgate-power-cut";
  shim.xOpen = ShimOpen;
  shim.xDelete = ShimDelete;
  shim.xAccess = ShimAccess;
  shim.xFullPathname = ShimFullPathname;
  shim.xDlOpen = ShimDlOpen;
  shim.xDlError = ShimDlError;
  shim.xDlSym = ShimDlSym;
  shim.xDlClose = ShimDlClose;
  shim.xRandomness = ShimRandomness;
  shim.xSleep = ShimSleep;
  shim.xCurrentTime = ShimCurrentTime;
  shim.xGetLastError = ShimGetLastError;
  shim.xCurrentTimeInt64 = ShimCurrentTimeInt64;
  shim.xSetSystemCall = ShimSetSystemCall;
  shim.xGetSystemCall = ShimGetSystemCall;
  shim.xNextSystemCall = ShimNextSystemCall;
  if (sqlite3_vfs_register(&shim, /*makeDflt=*/1) != SQLITE_OK) {
    return Internal("cannot register the power-cut VFS");
  }
  return Status::Ok();
}

Status InstallPowerCutVfsFromEnvironment() {
  PowerCutModel* model = PowerCutModel::FromEnvironment();
  return model == nullptr ? Status::Ok() : InstallPowerCutVfs(model);
}

}  // namespace seqgate::journal
