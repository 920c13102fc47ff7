internal import Glibc

/// Starts a program in a session of its own (so it outlives orbrec and can be signalled as
/// a group), from an argv array and an explicit environment — never through a shell.
enum DetachedProcess {
    struct SpawnError: Error {
        var errno: Int32
        var message: String { String(cString: strerror(errno)) }
    }

    /// glibc's POSIX_SPAWN_SETSID (`<spawn.h>`, glibc 2.26+), which Swift does not import.
    private static let spawnSetSID: Int32 = 0x80

    /// With `stdin`/`stdout` (descriptors of pipes), the program talks to orbrec over them;
    /// otherwise it reads /dev/null and writes to `logPath`. Its stderr always goes to `logPath`.
    static func spawn(argv: [String], environment: [String: String], logPath: String, stdin: Int32? = nil,
                      stdout: Int32? = nil) throws(SpawnError) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        let flags = spawnSetSID | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
            posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o640)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o640)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        InheritedDescriptors.closeAll(in: &actions)

        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, argv[0], &actions, &attributes, cArgv, cEnvironment)
        guard status == 0 else { throw SpawnError(errno: status) }
        return pid
    }
}
