internal import ArgumentParser

/// How a command prints what it found: `-o table|wide|json|yaml`, `--json` for `-o json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json, yaml

    /// JSON or YAML: one document on stdout, everything for people on stderr.
    var isDocument: Bool { self == .json || self == .yaml }
}

/// The one output flag every command that prints data takes.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("table, wide, json or yaml.", valueName: "format"))
    var output: OutputFormat = .table

    @Flag(help: "Same as -o json.")
    var json = false

    var format: OutputFormat { json ? .json : output }

    func validate() throws {
        if json, output != .table, output != .json {
            throw ValidationError("--json and -o \(output.rawValue) disagree; give one of them")
        }
    }
}
