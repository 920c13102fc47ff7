public import OrbrecCore
internal import OrbrecProcess
internal import Synchronization

/// The files a slurm scheduler keeps on a cluster it reaches over SSH: orbrec's runner,
/// installed by orbrec itself, and the attempts' manifests, outputs and results, under a
/// directory the compute nodes share. Every operation is one ssh command (over the shared
/// connection) running a fixed POSIX shell script whose paths come as positional arguments,
/// quoted by `RemoteShell` like any other argv: no path or key is ever spliced into a script.
public actor ClusterFiles {
    public struct Layout: Sendable, Hashable {
        /// The login account's home directory, as the cluster reports it.
        public var home: String
        /// Where the runner is installed, absolute.
        public var runner: String
        /// Where this state's attempts of this scheduler keep their files, absolute.
        public var root: String
    }

    let path: SlurmCommandPath
    let connection: SSHConnection
    let settings: SSHSettings
    let schedulerName: String
    /// The orbrec executable on this host, which is copied to the cluster as the runner.
    let localRunner: String
    /// orbrec's version and commit, naming the installed runner.
    let version: String
    private var layouts: [String: Layout] = [:]
    private var installed: String?

    public init(connection: SSHConnection, settings: SSHSettings, schedulerName: String, localRunner: String, version: String) {
        self.path = SlurmCommandPath(route: .ssh(connection))
        self.connection = connection
        self.settings = settings
        self.schedulerName = schedulerName
        self.localRunner = localRunner
        self.version = version
    }

    struct Key: Hashable, Sendable {
        var connection: SSHConnection, settings: SSHSettings, schedulerName: String, localRunner: String, version: String
    }

    private static let instances = Mutex<[Key: ClusterFiles]>([:])

    /// One per scheduler and process: schedulers are made again for every pass, while the
    /// runner is checked and the directories made once.
    public static func shared(connection: SSHConnection, settings: SSHSettings, schedulerName: String, localRunner: String,
                              version: String) -> ClusterFiles {
        let key = Key(connection: connection, settings: settings, schedulerName: schedulerName, localRunner: localRunner, version: version)
        return instances.withLock { instances in
            if let known = instances[key] { return known }
            let made = ClusterFiles(connection: connection, settings: settings, schedulerName: schedulerName, localRunner: localRunner,
                                    version: version)
            instances[key] = made
            return made
        }
    }

    /// The runner's path as configured, relative to the home directory unless absolute.
    var configuredRunner: String {
        Self.underHome(settings.remoteRunnerPath ?? ".orbrec/runner-\(Self.fileSafe(version))")
    }

    func configuredRoot(owner: String) -> String {
        Self.underHome(settings.remoteDirectory ?? ".orbrec/\(Self.fileSafe(owner))/\(schedulerName)")
    }

    /// `~/x` and `x` are both `x` relative to the home directory, where ssh's commands start.
    static func underHome(_ path: String) -> String {
        if path == "~" { return "." }
        return path.hasPrefix("~/") ? String(path.dropFirst(2)) : path
    }

    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" ? $0 : "_" })
    }

    static func absolute(_ path: String, home: String) -> String {
        path.hasPrefix("/") ? path : (home == "/" ? "" : home) + "/" + path
    }

    /// The first line of every script's answer: what a login's startup files print before it
    /// (a banner, a module system's notes) is skipped, never read as the answer.
    static let marker = "orbrec-cluster-files-1"

    /// What follows the marker's line; nothing when it is missing.
    static func afterMarker(_ bytes: [UInt8]) -> [UInt8] {
        let line = Array((marker + "\n").utf8)
        guard bytes.count >= line.count else { return [] }
        var index = 0
        while index + line.count <= bytes.count {
            if (index == 0 || bytes[index - 1] == UInt8(ascii: "\n")) && Array(bytes[index..<index + line.count]) == line {
                return Array(bytes[(index + line.count)...])
            }
            guard let next = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { return [] }
            index = next + 1
        }
        return []
    }

    /// The home directory, and the runner's checksum there ("none" when it is missing).
    static let probeScript = #"echo \#(marker); pwd; if [ -f "$1" ]; then sha256sum -- "$1" | cut -c1-64; else echo none; fi"#

    /// stdin to `$1` through a temporary name, checked against the checksum `$2` before it is
    /// renamed into place, so a copy cut short is never run.
    static let installScript = #"""
        set -e; umask 022; mkdir -p -- "$(dirname -- "$1")"; t="$1.tmp.$$"; cat > "$t"
        s=$(sha256sum -- "$t" | cut -c1-64)
        if [ "$s" != "$2" ]; then rm -f -- "$t"; echo "the copy's checksum is $s, not $2" >&2; exit 3; fi
        chmod 755 "$t"; mv -f -- "$t" "$1"
        """#

    /// The cluster's checksum of the runner when it was last probed ("none": missing).
    private var probedSum: String?

    /// The layout for `owner`'s attempts (one command, once per process). Reading needs no
    /// runner: observation and `tasks logs` never install one.
    public func layout(owner: String) async throws(ProviderError) -> Layout {
        if let known = layouts[owner] { return known }
        let probe = try await path.run(["sh", "-c", Self.probeScript, "sh", configuredRunner])
        let lines = Array(Self.afterMarker(Array(probe.stdout.utf8)).split(separator: UInt8(ascii: "\n"))
            .map { String(decoding: $0, as: UTF8.self) })
        guard probe.status == 0, lines.count == 2, lines[0].hasPrefix("/") else {
            throw ProviderError(code: "slurm-files", message: "cannot read the home directory on \(settings.destination): "
                                + "exit \(probe.status) \(probe.stderr.prefix(300))", retryable: true)
        }
        let home = lines[0]
        probedSum = lines[1]
        let layout = Layout(home: home, runner: Self.absolute(configuredRunner, home: home),
                            root: Self.absolute(configuredRoot(owner: owner), home: home))
        layouts[owner] = layout
        return layout
    }

    /// The layout, with orbrec's runner installed: copied when the cluster has none or one
    /// whose checksum differs from this orbrec's (another version), checked once per process.
    public func layoutWithRunner(owner: String) async throws(ProviderError) -> Layout {
        let layout = try await layout(owner: owner)
        guard installed != layout.runner else { return layout }
        let wanted = try await localChecksum()
        if probedSum != wanted {
            let copy = try await path.run(["sh", "-c", Self.installScript, "sh", layout.runner, wanted], input: .file(localRunner),
                                          timeout: .seconds(900))
            guard copy.status == 0 else {
                // Checked again from the start next time: this orbrec's file may have changed meanwhile.
                localSum = nil
                throw ProviderError(code: "runner-install-failed", message: "cannot install orbrec's runner at \(layout.runner) on "
                                    + "\(settings.destination): exit \(copy.status) \(copy.stderr.prefix(300))", retryable: true)
            }
            probedSum = wanted
        }
        installed = layout.runner
        return layout
    }

    private var localSum: String?

    /// This orbrec's sha256, by the same tool the cluster uses.
    private func localChecksum() async throws(ProviderError) -> String {
        if let localSum { return localSum }
        let sum = try await SlurmCommandPath.local.run(["sha256sum", "--", localRunner])
        let text = String(sum.stdout.prefix(64))
        guard sum.status == 0, text.count == 64 else {
            throw ProviderError(code: "runner-install-failed", message: "cannot checksum \(localRunner): \(sum.stderr.prefix(300))")
        }
        localSum = text
        return text
    }

    /// stdin to `$1` (made private to the account), through a temporary name.
    static let writeScript = #"set -e; umask 077; mkdir -p -- "$(dirname -- "$1")"; t="$1.tmp.$$"; cat > "$t"; chmod "$2" "$t"; mv -f -- "$t" "$1""#

    /// Writes `bytes` to `file` on the cluster; `mode` as chmod takes it (`600`, `700`).
    public func write(_ bytes: [UInt8], to file: String, mode: String = "600") async throws(ProviderError) {
        let written = try await path.run(["sh", "-c", Self.writeScript, "sh", file, mode], input: .bytes(bytes))
        guard written.status == 0 else {
            throw ProviderError(code: "slurm-files", message: "cannot write \(file) on \(settings.destination): \(written.stderr.prefix(300))",
                                retryable: true)
        }
    }

    private var prepared: Set<String> = []

    /// Writes the batch script and makes `directories`, once per process.
    public func prepareOnce(directories: [String], script: [UInt8], at file: String) async throws(ProviderError) {
        guard !prepared.contains(file) else { return }
        try await write(script, to: file, mode: "700")
        let made = try await path.run(["mkdir", "-p", "--"] + directories)
        guard made.status == 0 else {
            throw ProviderError(code: "slurm-files", message: "cannot make \(directories.joined(separator: ", ")) on \(settings.destination): "
                                + made.stderr.prefix(300), retryable: true)
        }
        prepared.insert(file)
    }

    /// Each file as a line with its size (-1 when missing), then its bytes. A file that grows
    /// meanwhile is cut at the size given; results are written whole (renamed into place).
    static let readScript = #"echo \#(marker); for f do if [ -f "$f" ] && n=$(wc -c < "$f"); then printf '%s\n' $n; head -c $n -- "$f"; else echo -1; fi; done"#

    /// The files of `files` that exist, with their bytes, in one command.
    public func read(_ files: [String]) async throws(ProviderError) -> [String: [UInt8]] {
        guard !files.isEmpty else { return [:] }
        // Several commands for many files: one command line holds at most about 128 KiB.
        var batches: [[String]] = [[]]
        var size = 0
        for file in files {
            if size + file.utf8.count > 100_000 && !batches[batches.count - 1].isEmpty {
                batches.append([])
                size = 0
            }
            batches[batches.count - 1].append(file)
            size += file.utf8.count + 3
        }
        var found: [String: [UInt8]] = [:]
        for batch in batches {
            let output = try await path.remote(["sh", "-c", Self.readScript, "sh"] + batch, on: connection)
            guard output.status == 0 else {
                throw ProviderError(code: "slurm-files", message: "cannot read files on \(settings.destination): \(output.stderr.text.prefix(300))",
                                    retryable: true)
            }
            for (file, bytes) in zip(batch, Self.frames(Self.afterMarker(output.stdout.bytes), count: batch.count)) {
                if let bytes { found[file] = bytes }
            }
        }
        return found
    }

    /// Splits the read script's output: per file, nil when missing.
    static func frames(_ bytes: [UInt8], count: Int) -> [[UInt8]?] {
        var out: [[UInt8]?] = []
        var index = 0
        while out.count < count, index < bytes.count {
            guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")),
                  let size = Int(String(decoding: bytes[index..<newline], as: UTF8.self).filter { $0 != " " }) else { break }
            index = newline + 1
            if size < 0 { out.append(nil); continue }
            // An answer cut short (the connection dropped): the rest is missing, not misread.
            guard index + size <= bytes.count else { break }
            out.append(Array(bytes[index..<index + size]))
            index += size
        }
        while out.count < count { out.append(nil) }
        return out
    }

    /// Every `*.result.json` under `$1`, outside hidden directories, one path a line.
    static let listScript = #"echo \#(marker); [ -d "$1" ] || exit 0; find "$1" -mindepth 1 -name '.*' -prune -o -type f -name '*.result.json' -print"#

    /// Every result file under `root`, with its bytes.
    public func results(under root: String) async throws(ProviderError) -> [String: [UInt8]] {
        let listing = try await path.run(["sh", "-c", Self.listScript, "sh", root])
        guard listing.status == 0 else {
            throw ProviderError(code: "slurm-files", message: "cannot list results on \(settings.destination): \(listing.stderr.prefix(300))",
                                retryable: true)
        }
        return try await read(Self.afterMarker(Array(listing.stdout.utf8)).split(separator: UInt8(ascii: "\n"))
            .map { String(decoding: $0, as: UTF8.self) })
    }
}
