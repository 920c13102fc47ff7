internal import Glibc

/// glibc's posix_spawn_file_actions_addchdir_np (2.29+), which Swift does not import.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func posixSpawnFileActionsAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                           _ path: UnsafePointer<CChar>) -> Int32

/// Starts one attempt's command: argv only (never a shell), a session of its own (so the
/// whole group can be stopped), stdin from /dev/null, stdout and stderr appended to files.
enum CommandSpawner {
    /// glibc's POSIX_SPAWN_SETSID (`<spawn.h>`, glibc 2.26+).
    private static let spawnSetSID: Int32 = 0x80

    struct Failure: Error {
        var code: Int32
    }

    /// Where the command's process group stands: a session of its own (the supervisor's
    /// commands), or a group of its own in the caller's session (a cluster job's runner,
    /// whose command must stay in the job's session).
    enum Grouping {
        case session
        case processGroup
    }

    /// `environment` nil: this process's own.
    static func spawn(argv: [String], environment: [String]?, workdir: String?, stdout: String, stderr: String,
                      grouping: Grouping = .session) throws(Failure) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        switch grouping {
        case .session:
            flags |= spawnSetSID
        case .processGroup:
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o640)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o640)
        InheritedDescriptors.closeAll(in: &actions)
        if let workdir { _ = posixSpawnFileActionsAddChdir(&actions, workdir) }
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { $0.map { strdup($0) } + [nil] }
        defer {
            cArgv.forEach { free($0) }
            cEnvironment?.forEach { free($0) }
        }
        let path = environment.map { $0.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } } ?? getenv("PATH").map { String(cString: $0) }
        let program = resolve(argv[0], path: path)
        var pid: pid_t = 0
        let code = cEnvironment.map { posix_spawn(&pid, program, &actions, &attributes, cArgv, $0) }
            ?? posix_spawn(&pid, program, &actions, &attributes, cArgv, environ)
        guard code == 0 else { throw Failure(code: code) }
        return pid
    }

    /// A bare program name is looked up in the attempt's own PATH (the pool's env may set it),
    /// as a shell would for the command; a name with a slash is taken as it is.
    static func resolve(_ program: String, path: String?) -> String {
        guard !program.contains("/"), !program.isEmpty else { return program }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return program
    }
}
