public import OrbrecCore
internal import Foundation
internal import Glibc
internal import OrbrecProcess

/// One HostFactory provider plugin: its scripts, and the environment HostFactory gives them.
///
/// Every call is `SCRIPT -f INPUT.json` run in the work directory with `HF_PROVIDER_NAME`,
/// `HF_PROVIDER_WORKDIR`, `HF_PROVIDER_LOGDIR` and (when set) `HF_PROVIDER_CONFDIR`. Its input,
/// answer and lock are files named after the call under `<workDir>/.orbrec-hostfactory/calls`,
/// so that a call another orbrec started can be found and read after that orbrec died.
public struct HostFactoryPlugin: Sendable {
    public let providerName: String
    public let scriptsDirectory: String
    public let workDirectory: String
    public let logDirectory: String
    /// The whole environment of a call.
    public let environment: [String: String]
    /// How long orbrec waits for a call. A call that only reads is killed then; requestMachines
    /// and requestReturnMachines are left running and their answers adopted when they end.
    public let timeout: ConfigDuration
    /// How long requestMachines or requestReturnMachines may run before orbrec gives up on it,
    /// kills it and fails its order: ten times `timeout` unless given.
    public let abandonAfter: ConfigDuration

    /// `base` is orbrec's own environment; `extra` (the provider's `env`) adds to it, and the
    /// `HF_PROVIDER_*` variables, orbrec's to set, come last.
    public init(providerName: String, scriptsDirectory: String, confDirectory: String?, workDirectory: String,
                logDirectory: String?, extra: [String: String], base: [String: String], timeout: ConfigDuration,
                abandonAfter: ConfigDuration? = nil) {
        self.providerName = providerName
        self.scriptsDirectory = scriptsDirectory
        self.workDirectory = workDirectory
        self.logDirectory = logDirectory ?? workDirectory + "/logs"
        self.timeout = timeout
        self.abandonAfter = abandonAfter ?? ConfigDuration(milliseconds: timeout.milliseconds.multipliedReportingOverflow(by: 10).partialValue)
        var environment = base.merging(extra) { $1 }
        environment["HF_PROVIDER_NAME"] = providerName
        environment["HF_PROVIDER_WORKDIR"] = workDirectory
        environment["HF_PROVIDER_LOGDIR"] = self.logDirectory
        if let confDirectory { environment["HF_PROVIDER_CONFDIR"] = confDirectory } else { environment["HF_PROVIDER_CONFDIR"] = nil }
        self.environment = environment
    }

    /// orbrec's own files in the work directory: the ledger and the calls.
    var orbrecDirectory: String { workDirectory + "/.orbrec-hostfactory" }
    var callDirectory: String { orbrecDirectory + "/calls" }

    func scriptPath(_ script: HostFactoryScript) -> String { scriptsDirectory + "/" + script.fileName }

    func hasScript(_ script: HostFactoryScript) -> Bool { access(scriptPath(script), X_OK) == 0 }

    /// The files of one call.
    struct CallFiles {
        var input: String
        var output: String
        var errors: String
        var lock: String
    }

    func files(_ call: String) -> CallFiles {
        let base = callDirectory + "/" + call
        return CallFiles(input: base + ".json", output: base + ".out", errors: base + ".err", lock: base + ".lock")
    }

    /// What one run of a script left.
    struct ScriptRun {
        var script: HostFactoryScript
        var ending: ScriptEnding
        var stdout: String
        var stderr: String
    }

    /// Makes the directories a call needs: the work and log directories HostFactory would have
    /// made, and orbrec's own, which only its owner may read (inputs name machines, answers may
    /// carry what a plugin prints).
    func prepareDirectories() throws(ProviderError) {
        for (path, mode) in [(workDirectory, 0o755), (logDirectory, 0o755), (orbrecDirectory, 0o700), (callDirectory, 0o700)] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: mode])
            } catch {
                throw ProviderError(code: "WorkDirectory", message: "cannot create \(path): \(error.localizedDescription)")
            }
        }
    }

    /// Writes a call's input, durably: for the calls that make or return machines it is the
    /// intent that a later orbrec recovers from.
    func writeInput(_ input: some Encodable, call: String) throws(ProviderError) {
        try prepareDirectories()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try DurableFile.write(try encoder.encode(input), to: files(call).input)
        } catch {
            throw ProviderError(code: "WorkDirectory", message: "cannot write the input of \(call): \(error)")
        }
    }

    /// Runs `script` on the input written for `call`, holding the call's lock for as long as it
    /// runs. With `.leaveRunning` a script still running at the timeout is left to run with the
    /// lock (`.stillRunning`); its files stay for whoever settles the call.
    func run(_ script: HostFactoryScript, call: String, atTimeout: AtTimeout = .kill) async throws(ProviderError) -> ScriptRun {
        let paths = files(call)
        guard hasScript(script) else {
            throw ProviderError(code: "PluginScriptMissing", message: "\(scriptPath(script)) is missing or not executable")
        }
        let lock = try CallLock.take(paths.lock)
        defer { close(lock) }
        let ending: ScriptEnding
        do {
            ending = try await Self.runScript([scriptPath(script), "-f", paths.input], environment: environment,
                                              directory: workDirectory, stdoutPath: paths.output, stderrPath: paths.errors,
                                              lock: lock, timeout: .milliseconds(timeout.milliseconds), atTimeout: atTimeout)
        } catch {
            throw ProviderError(code: "PluginScriptFailed", message: "cannot run \(scriptPath(script)): \(error.message)")
        }
        if ending == .stillRunning { return ScriptRun(script: script, ending: ending, stdout: "", stderr: "") }
        return ScriptRun(script: script, ending: ending, stdout: Self.read(paths.output, limit: 16 << 20),
                         stderr: Self.read(paths.errors, limit: 64 << 10))
    }

    /// One whole call whose files are not kept: input, run, answer.
    func call<Answer: Decodable>(_ script: HostFactoryScript, input: some Encodable, as answer: Answer.Type) async throws(ProviderError) -> Answer {
        let call = "\(script.rawValue)-\(UUID().uuidString.prefix(12).lowercased())"
        defer { removeFiles(call) }
        try writeInput(input, call: call)
        return try interpret(try await run(script, call: call), as: answer)
    }

    func removeFiles(_ call: String) {
        let paths = files(call)
        for path in [paths.input, paths.output, paths.errors, paths.lock] { unlink(path) }
    }

    static func read(_ path: String, limit: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
