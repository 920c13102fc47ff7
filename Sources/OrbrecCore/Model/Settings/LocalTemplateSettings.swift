/// A template of a local provider: the process each machine is.
public struct LocalTemplateSettings: Hashable, Sendable, Codable {
    /// The argv each machine runs, looked up on PATH, never through a shell; not empty.
    public var command: [String]

    public init(command: [String]) {
        self.command = command
    }
}

extension LocalTemplateSettings {
    /// Its fields as a plan diff shows them.
    static let fields = [SpecField("command", forcesReplacement: true)]
}
