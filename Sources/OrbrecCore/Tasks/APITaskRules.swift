/// What a task posted to an api pool may be. Checked where it arrives (HTTP, MCP, the engine)
/// before anything is journaled: a key is an identity on disk, in job names and in URLs, and an
/// argument becomes one argv element, so neither may hold what those cannot carry.
public enum APITaskRules {
    /// How a command names a task's argument: `${args.NAME}`.
    public static let argPrefix = "args."
    public static let maxArgs = 64
    public static let maxArgNameLength = 64
    /// One argument's value, in UTF-8 bytes.
    public static let maxArgValueBytes = 8 * 1024
    /// Every name and value of one task together, in UTF-8 bytes.
    public static let maxArgsBytes = 64 * 1024

    /// Why `key` cannot be a task's key, or nil when it can: empty, a control character (a key is
    /// shown in tables and logs, one per line), or longer than a file name allows once it is
    /// one (`TaskKeyPath`), as the loader refuses a file pool's items.
    public static func keyProblem(_ key: String) -> String? {
        if key.isEmpty { return "key must be a non-empty string" }
        if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "key holds a control character (a newline, a tab, NUL…); a key is one line of text"
        }
        let length = TaskKeyPath.componentLength(key)
        if length > TaskKeyPath.maxComponentBytes {
            return "key '\(TextEscaping.quoted(key, limit: 60))' makes a task key of \(length) bytes as a file name; the limit is "
                + "\(TaskKeyPath.maxComponentBytes) (bytes other than letters, digits and -_=,. count 3)"
        }
        return nil
    }

    /// Whether `name` can be an argument's name: what a command template's variable may be
    /// called (ASCII letters, digits, `_` and `-`, a letter or `_` first), at most 64 characters.
    public static func isArgName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maxArgNameLength,
              first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// The argument a command variable names (`args.seed` → `seed`), or nil when it names none.
    public static func argName(ofVariable variable: String) -> String? {
        guard variable.hasPrefix(argPrefix) else { return nil }
        let name = String(variable.dropFirst(argPrefix.count))
        return isArgName(name) ? name : nil
    }

    /// Why `args` cannot be a task of `pool`, or nil when they can: too many, too large, a name
    /// that is not one, a NUL (no argv element holds one), or an argument the command uses
    /// missing. Never filled in empty: a missing argument is the caller's to give.
    public static func argsProblem(_ args: [String: String], for pool: TaskPoolSpec) -> String? {
        if args.count > maxArgs { return "args holds \(args.count) arguments; at most \(maxArgs)" }
        var total = 0
        for (name, value) in args.sorted(by: { $0.key < $1.key }) {
            guard isArgName(name) else {
                return "args name '\(TextEscaping.quoted(name, limit: 40))' is not a name: ASCII letters, digits, _ and -, "
                    + "a letter or _ first, at most \(maxArgNameLength) characters"
            }
            if value.utf8.count > maxArgValueBytes { return "args.\(name) is \(value.utf8.count) bytes; at most \(maxArgValueBytes)" }
            if value.utf8.contains(0) { return "args.\(name) holds a NUL byte, which no argv element can carry" }
            total += name.utf8.count + value.utf8.count
        }
        if total > maxArgsBytes { return "args are \(total) bytes together; at most \(maxArgsBytes)" }
        let missing = pool.commandArgs.filter { args[$0] == nil }
        if !missing.isEmpty {
            return "the command of TaskPool/\(pool.name) uses " + missing.map { "${args.\($0)}" }.joined(separator: ", ")
                + ", which args lack" + (args.isEmpty ? "" : " (given: \(args.keys.sorted().joined(separator: ", ")))")
        }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
