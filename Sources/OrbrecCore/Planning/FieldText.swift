/// How a spec's values are written in a plan diff: JSON-like (`"ami-1"`, `["a", "b"]`,
/// `{"k": "v"}`), keys sorted, control characters escaped so a value cannot act on a terminal.
public enum FieldText {
    public static func string(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            default: escaped.append(character)
            }
        }
        return "\"" + TextEscaping.escapingControls(escaped) + "\""
    }

    public static func list(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ", ") + "]"
    }

    public static func map(_ values: [String: String]) -> String {
        "{" + values.keys.sorted().map { "\(string($0)): \(string(values[$0] ?? ""))" }.joined(separator: ", ") + "}"
    }

    public static func map(_ values: [String: Int]) -> String {
        "{" + values.keys.sorted().map { "\(string($0)): \(values[$0] ?? 0)" }.joined(separator: ", ") + "}"
    }

    /// A secret recorded only as a digest: a plan can tell that it changed, never what it was.
    public static func digest(_ text: String) -> String {
        var hasher = StableHasher()
        hasher.combine("sensitive")
        hasher.combine(text)
        return "digest:" + hasher.hexDigest
    }
}
