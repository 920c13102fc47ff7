/// A line of a Slurm command's output that could not be read, as a value: the rest of the
/// output is still used, and the caller decides whether to say so.
public struct SlurmParseProblem: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the output.
    public var line: Int
    public var text: String
    public var message: String

    public init(line: Int, text: String, message: String) {
        self.line = line
        self.text = text
        self.message = message
    }

    public var description: String { "line \(line): \(message): \(text.prefix(200))" }
}
