internal import Glibc

// glibc functions and constants Swift does not import (they sit behind `__USE_GNU`).

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+).
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
func spawnAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

/// posix_spawn_file_actions_addchdir_np (glibc 2.29+).
@_silgen_name("posix_spawn_file_actions_addchdir_np")
func spawnAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// pipe2 (a GNU extension).
@_silgen_name("pipe2")
func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// POSIX_SPAWN_SETSID (`<spawn.h>`, glibc 2.26+).
let spawnSetSID: Int32 = 0x80

/// pidfd_open through syscall(2) rather than glibc's wrapper (2.36+), so that orbrec still
/// loads on the glibc of RHEL 9 (2.34); the number is the same on every architecture.
func pidfdOpen(_ pid: pid_t) -> Int32 {
    typealias Syscall = @convention(c) (Int, Int32, UInt32) -> Int
    guard let symbol = dlsym(nil, "syscall") else { return -1 }
    return Int32(truncatingIfNeeded: unsafeBitCast(symbol, to: Syscall.self)(434, pid, 0))
}
