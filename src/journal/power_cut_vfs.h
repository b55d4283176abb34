// A SQLite VFS shim that reports the journal's writes to a PowerCutModel (a TEST HOOK).
//
// SQLite writes through its VFS, not through our Env: to drop what the journal had not
// fsynced, the shim wraps the default ("unix") VFS, forwards every call, and tells the model
// about each xWrite/xTruncate (before, so the old bytes are saved) and xSync (after). The
// database, its WAL and its rollback journal are tracked; the -shm index is not (SQLite
// rebuilds it after a crash). Creation and deletion of those files are left to SQLite's own
// directory fsyncs and counted as durable. Installed only when the power-cut hook is armed.
#pragma once

#include "common/power_cut.h"
#include "common/status.h"

namespace seqgate::journal {

// Registers the shim as SQLite's default VFS over the current default; every database opened
// afterwards reports to `model` (not owned, must outlive them). Call before opening any.
Status InstallPowerCutVfs(PowerCutModel* model);

// InstallPowerCutVfs(PowerCutModel::FromEnvironment()) when the hook is armed; else nothing.
Status InstallPowerCutVfsFromEnvironment();

}  // namespace seqgate::journal
