internal import OrbrecCore
internal import Yams

extension TokensFile {
    /// The entries of a tokens file's text; every problem is reported together, each located
    /// `file:line:col`. Values of `sha256` are never repeated in a message.
    static func parse(_ text: String, file: String) throws(TokensFileError) -> [TokenEntry] {
        var problems = Problems(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw TokensFileError("\(file): not valid YAML or JSON: \(Self.describe(error))")
        } catch {
            throw TokensFileError("\(file): not valid YAML or JSON")
        }
        // An empty file is refused rather than read as no tokens: it is more often a file caught
        // half-written than a wish to let nobody in (write `tokens: []` for that).
        guard let root, case .mapping(let top) = root else {
            throw TokensFileError("\(file): the file must be a mapping with a `tokens:` list (`tokens: []` lets no token in)")
        }
        var list: Node.Sequence?
        for (key, value) in top {
            guard key.string == "tokens" else {
                problems.add("unknown field '\(key.string ?? "?")' (the file has only `tokens:`)", at: key)
                continue
            }
            guard case .sequence(let sequence) = value else {
                problems.add("tokens must be a list of entries", at: value)
                continue
            }
            list = sequence
        }
        if list == nil && problems.isEmpty { problems.add("the file has no `tokens:` list (`tokens: []` lets no token in)", at: root) }
        var entries: [TokenEntry] = []
        var where_: [String: String] = [:]
        for (index, node) in (list ?? Node.Sequence()).enumerated() {
            guard let entry = Self.entry(node, path: "tokens[\(index)]", problems: &problems) else { continue }
            let here = "tokens[\(index)]"
            if let first = where_[entry.name] {
                problems.add("\(here): the name \(entry.name) is already used by \(first)", at: node)
            } else if let same = entries.first(where: { $0.digest == entry.digest }) {
                problems.add("\(here) (\(entry.name)) has the same sha256 as \(same.name): one secret, one entry", at: node)
            } else {
                where_[entry.name] = here
                entries.append(entry)
            }
        }
        guard problems.isEmpty else { throw TokensFileError(problems.messages) }
        return entries
    }

    static let fields = ["name", "sha256", "scopes", "rateLimit"]
    static let rateLimitFields = ["perSecond", "burst"]
    /// Token names go into log lines and metric labels.
    static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    static let maxRate = 100_000.0

    private static func entry(_ node: Node, path: String, problems: inout Problems) -> TokenEntry? {
        guard case .mapping(let mapping) = node else {
            problems.add("\(path) must be a mapping with name, sha256 and scopes", at: node)
            return nil
        }
        let before = problems.count
        var name: String?, digest: [UInt8]?, scopes: Set<AccessScope>?, rateLimit: RateLimit?
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "name":
                name = Self.name(value, path: path, problems: &problems)
            case "sha256":
                if case .scalar(let scalar) = value, let bytes = TokenDigest.parse(hex: scalar.string) {
                    digest = bytes
                } else {
                    problems.add("\(path).sha256 must be 64 hex digits, the SHA-256 of the secret (orbrec token hash prints it)", at: value)
                }
            case "scopes":
                scopes = Self.scopes(value, path: path + ".scopes", problems: &problems)
            case "rateLimit":
                rateLimit = Self.rateLimit(value, path: path + ".rateLimit", problems: &problems)
            case let other:
                problems.add("unknown field '\(other)' in \(path) (use " + fields.joined(separator: ", ") + ")", at: key)
            }
        }
        for (field, missing) in [("name", name == nil), ("sha256", digest == nil), ("scopes", scopes == nil)]
        where missing && !mapping.keys.contains(where: { $0.string == field }) {
            problems.add("\(path) has no \(field)", at: node)
        }
        guard problems.count == before, let name, let digest, let scopes else { return nil }
        return TokenEntry(name: name, digest: digest, scopes: scopes, rateLimit: rateLimit)
    }

    /// What is wrong with `name` as a token's name, or nil.
    public static func nameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 63, name.allSatisfy(nameCharacters.contains) else {
            return "a token's name must be 1 to 63 letters, digits, '-', '_' or '.'"
        }
        guard name != TokenEntry.singleTokenName else {
            return "\(TokenEntry.singleTokenName) is the name of ORBREC_TOKEN and --token-file's token; choose another"
        }
        return nil
    }

    private static func name(_ value: Node, path: String, problems: inout Problems) -> String? {
        guard case .scalar(let scalar) = value else {
            problems.add("\(path).name must be a string", at: value)
            return nil
        }
        if let problem = nameProblem(scalar.string) {
            problems.add("\(path).name: \(problem)", at: value)
            return nil
        }
        return scalar.string
    }

    private static func scopes(_ value: Node, path: String, problems: inout Problems) -> Set<AccessScope>? {
        guard case .sequence(let sequence) = value, !sequence.isEmpty else {
            problems.add("\(path) must be a list of at least one of " + AccessScope.allCases.map(\.rawValue).joined(separator: ", "), at: value)
            return nil
        }
        var scopes: Set<AccessScope> = []
        for item in sequence {
            guard case .scalar(let scalar) = item, let scope = AccessScope(rawValue: scalar.string) else {
                problems.add("\(path): " + AccessScope.UnknownScope(name: item.string ?? "?").message, at: item)
                continue
            }
            scopes.insert(scope)
        }
        return scopes
    }

    private static func rateLimit(_ value: Node, path: String, problems: inout Problems) -> RateLimit? {
        guard case .mapping(let mapping) = value else {
            problems.add("\(path) must be a mapping: {perSecond: N, burst: M}", at: value)
            return nil
        }
        var perSecond: Double?, burst: Int?
        for (key, field) in mapping {
            switch key.string ?? "" {
            case "perSecond":
                guard let number = field.float, number.isFinite, number > 0, number <= maxRate else {
                    problems.add("\(path).perSecond must be a number above 0, at most \(Int(maxRate))", at: field)
                    continue
                }
                perSecond = number
            case "burst":
                guard let whole = field.int, whole >= 1, whole <= Int(maxRate) else {
                    problems.add("\(path).burst must be a whole number from 1 to \(Int(maxRate))", at: field)
                    continue
                }
                burst = whole
            case let other:
                problems.add("unknown field '\(other)' in \(path) (use perSecond, burst)", at: key)
            }
        }
        guard let perSecond else {
            if !mapping.keys.contains(where: { $0.string == "perSecond" }) { problems.add("\(path) has no perSecond", at: value) }
            return nil
        }
        // Without a burst, one second's worth may come at once (at least one request).
        return RateLimit(perSecond: perSecond, burst: burst ?? max(1, Int(perSecond.rounded(.up))))
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            "\(problem) at \(mark.line):\(mark.column)"
        case .duplicatedKeysInMapping(let duplicates, _):
            "a key written twice: " + duplicates.joined(separator: ", ")
        default:
            // Other errors carry the file's text, which must not reach a log.
            "the text cannot be read"
        }
    }

    /// Problems found so far, each prefixed with where it is.
    struct Problems {
        let file: String
        private(set) var messages: [String] = []

        init(file: String) { self.file = file }

        var isEmpty: Bool { messages.isEmpty }
        var count: Int { messages.count }

        mutating func add(_ message: String, at node: Node) {
            let place = node.mark.map { "\(file):\($0.line):\($0.column)" } ?? file
            messages.append("\(place): \(message)")
        }
    }
}
