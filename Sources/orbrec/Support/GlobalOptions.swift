internal import ArgumentParser
internal import Foundation
internal import OrbrecStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration directory (or one file); default the current one.")
    var configOption: String?

    @Option(help: ArgumentHelp("The state: a file (default CONFIG_DIR/.orbrec/state.db), or a PostgreSQL URL "
                               + "postgres://user@host:port/db?sslmode=…&schema=… shared by several machines (or $ORBREC_STATE).",
                               valueName: "path|url"))
    var state: String?

    @Option(help: "Log level: trace, debug, info, warn, error (default warn; info for 'run').")
    var logLevel: LogLevel?

    @Option(name: .customLong("policies"),
            help: ArgumentHelp("A directory of Policy documents to check with the configuration (repeatable).", valueName: "dir"))
    var policyDirectories: [String] = []

    @Flag(help: "Never colour output (also: the NO_COLOR environment variable).")
    var noColor = false

    /// The configuration directory (or file) as given.
    var config: String {
        get { configOption ?? "." }
        set { configOption = newValue }
    }

    /// Whether the state was named (`--state` or `ORBREC_STATE`) rather than found beside the configuration.
    var stateIsNamed: Bool { namedState != nil }

    private var namedState: String? {
        state ?? ProcessInfo.processInfo.environment["ORBREC_STATE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The state as named, or its default path: a file path or a URL, which may hold a
    /// password. Show `stateShown` instead.
    var statePath: String {
        namedState ?? StateLocation.defaultPath(forConfiguration: config)
    }

    /// Where the state is: a file, or a PostgreSQL database.
    func stateAddress() throws -> StateAddress {
        do {
            return try StateAddress.parse(statePath)
        } catch {
            throw CommandFailure(.error, "--state: \(error.message)")
        }
    }

    /// The state as messages, logs and saved plans show it: a file's absolute path, or the
    /// URL without its password.
    var stateShown: String {
        switch try? StateAddress.parse(statePath) {
        case .postgres(let url): url.redacted
        case .file(let path): StateLocation.absolute(path)
        case nil: "(an invalid --state)"
        }
    }

    /// Whether the state is a PostgreSQL database rather than a file.
    var stateIsRemote: Bool {
        if case .postgres = try? StateAddress.parse(statePath) { return true }
        return false
    }

    var terminal: Terminal { Terminal(noColor: noColor) }
}

enum LogLevel: String, ExpressibleByArgument, CaseIterable, Comparable {
    case trace, debug, info, warn, error

    static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
