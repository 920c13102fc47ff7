/// One argv element with `${name}` placeholders, parsed once and rendered per attempt.
/// `$$` is a literal `$`. Rendering never goes through a shell.
public struct CommandTemplate: Hashable, Sendable, Codable {
    public enum Segment: Hashable, Sendable, Codable {
        case literal(String)
        case variable(String)
    }

    public var segments: [Segment]

    public struct ParseError: Error, Hashable, Sendable {
        /// 0-based offset in the element of the problem.
        public var offset: Int
        public var message: String
    }

    public init(parsing text: String) throws(ParseError) {
        var segments: [Segment] = []
        var literal = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "$", index + 1 < characters.count else {
                literal.append(character)
                index += 1
                continue
            }
            if characters[index + 1] == "$" {
                literal.append("$")
                index += 2
                continue
            }
            guard characters[index + 1] == "{" else {
                literal.append(character)
                index += 1
                continue
            }
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                throw ParseError(offset: index, message: "'${' is not closed with '}'")
            }
            let name = String(characters[(index + 2)..<close])
            // Dotted names (`args.seed`) are an api pool's task arguments; each part is a name.
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }) else {
                throw ParseError(offset: index, message: "'${\(name)}' is not a variable name")
            }
            if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
            segments.append(.variable(name))
            index = close + 1
        }
        if !literal.isEmpty || segments.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    public var variables: [String] {
        segments.compactMap { if case .variable(let name) = $0 { name } else { nil } }
    }

    public func render(_ values: [String: String]) -> String {
        segments.map { segment in
            switch segment {
            case .literal(let text): text
            case .variable(let name): values[name] ?? ""
            }
        }.joined()
    }
}

extension CommandTemplate {
    /// The template as written, `${…}` and `$$` included.
    public var source: String {
        segments.map { segment in
            switch segment {
            case .literal(let text): text.replacingDollars()
            case .variable(let name): "${\(name)}"
            }
        }.joined()
    }
}

extension String {
    fileprivate func replacingDollars() -> String {
        var out = ""
        for character in self { out += character == "$" ? "$$" : String(character) }
        return out
    }
}
