internal import Glibc

/// The one place orbrec calls posix_spawn. The child starts with no signal blocked and every
/// signal at its default (orbrec ignores SIGPIPE; a child must not inherit that), with only the
/// descriptors it was given: not every descriptor orbrec holds is close-on-exec (the daemon's
/// listening socket is not), and a machine that kept it would hold the API's port after the
/// daemon exits.
enum Spawner {
    /// `.capture` and `.bytes` must have been turned into descriptors by the caller.
    static func spawn(_ launch: ProcessLaunch) throws(SpawnError) -> pid_t {
        guard let program = launch.argv.first, !program.isEmpty else { throw SpawnError(code: EINVAL, program: "") }
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
        switch launch.grouping {
        case .inherit:
            break
        case .processGroup:
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        case .session:
            flags |= spawnSetSID
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        switch launch.stdin {
        case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, 0)
        case .bytes: throw SpawnError(code: EINVAL, program: program)
        }
        try direct(launch.stdout, to: 1, in: &actions, program: program)
        try direct(launch.stderr, to: 2, in: &actions, program: program)
        for (target, source) in launch.descriptors.sorted(by: { $0.key < $1.key }) where target > 2 {
            posix_spawn_file_actions_adddup2(&actions, source, target)
        }
        // Closed: every descriptor above stderr but those handed over, below the highest of
        // them one by one (a close of one not open is no error), above it all at once.
        let highest = max(2, launch.descriptors.keys.max() ?? 2)
        for fd in stride(from: Int32(3), to: highest, by: 1) where launch.descriptors[fd] == nil {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        _ = spawnAddCloseFrom(&actions, highest + 1)
        // Last: the files above are opened relative to orbrec's directory, not the child's.
        if let directory = launch.workingDirectory { _ = directory.withCString { spawnAddChdir(&actions, $0) } }

        let cArgv = launch.argv.map { strdup($0) } + [nil]
        let cEnvironment = launch.environment.map { $0.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            cArgv.forEach { free($0) }
            cEnvironment?.forEach { free($0) }
        }
        let resolved = resolve(program, path: launch.environment?["PATH"] ?? getenv("PATH").map { String(cString: $0) })
        var pid: pid_t = 0
        let code = cEnvironment.map { posix_spawn(&pid, resolved, &actions, &attributes, cArgv, $0) }
            ?? posix_spawn(&pid, resolved, &actions, &attributes, cArgv, environ)
        guard code == 0 else { throw SpawnError(code: code, program: program) }
        return pid
    }

    private static func direct(_ output: ProcessLaunch.Output, to fd: Int32, in actions: inout posix_spawn_file_actions_t,
                               program: String) throws(SpawnError) {
        switch output {
        case .discard:
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
        case .file(let path, let append, let permissions):
            posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), mode_t(permissions))
        case .descriptor(let source):
            posix_spawn_file_actions_adddup2(&actions, source, fd)
        case .stdout where fd == 2:
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .stdout, .capture:
            throw SpawnError(code: EINVAL, program: program)
        }
    }

    /// A bare program name is looked up in `path`; a name with a slash is taken as it is.
    static func resolve(_ program: String, path: String?) -> String {
        guard !program.contains("/"), !program.isEmpty else { return program }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return program
    }
}
