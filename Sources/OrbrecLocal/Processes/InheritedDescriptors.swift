internal import Glibc

/// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift does not import.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func posixSpawnFileActionsAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

/// Descriptors a spawned machine or task must not inherit. Not every descriptor orbrec
/// holds is close-on-exec (the daemon's listening socket is not): a machine that kept it
/// would hold the API's port after the daemon exits, and no restart could bind it again.
enum InheritedDescriptors {
    /// Closes every descriptor above stderr in the child.
    static func closeAll(in actions: inout posix_spawn_file_actions_t) {
        _ = posixSpawnFileActionsAddCloseFrom(&actions, 3)
    }
}
