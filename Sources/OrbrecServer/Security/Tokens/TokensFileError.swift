/// Why a tokens file was refused: every problem found, each with where it is. A message never
/// holds a secret or a hash from the file.
public struct TokensFileError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]

    init(_ problems: [String]) { self.problems = problems }

    init(_ problem: String) { problems = [problem] }

    public var description: String { problems.joined(separator: "; ") }
}
