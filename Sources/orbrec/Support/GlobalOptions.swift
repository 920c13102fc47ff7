internal import ArgumentParser
internal import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration directory (or one file); default the current one.")
    var configOption: String?

    @Option(help: ArgumentHelp("The state file (default CONFIG_DIR/.orbrec/state.db, or $ORBREC_STATE).", valueName: "path"))
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

    var statePath: String {
        namedState ?? StateLocation.defaultPath(forConfiguration: config)
    }

    var terminal: Terminal { Terminal(noColor: noColor) }
}

enum LogLevel: String, ExpressibleByArgument, CaseIterable, Comparable {
    case trace, debug, info, warn, error

    static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
