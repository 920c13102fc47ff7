internal import HTTPTypes
internal import OrbrecCore

/// The API's shared secret. Compared in constant time, never logged or echoed.
public struct BearerToken: Sendable, CustomStringConvertible {
    let secret: [UInt8]

    /// A token of at least 16 characters, surrounding whitespace removed (token files end in a newline).
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count >= 16 else { return nil }
        secret = Array(trimmed.utf8)
    }

    public var description: String { "BearerToken(redacted)" }

    /// The single token as one of the daemon's tokens: every scope, no rate limit.
    var entry: TokenEntry {
        TokenEntry(name: TokenEntry.singleTokenName, digest: TokenDigest.of(secret), scopes: Set(AccessScope.allCases))
    }

    /// The secret of `Authorization: Bearer <secret>` (the scheme in any case), or nil.
    static func presented(_ fields: HTTPFields) -> [UInt8]? {
        guard let header = fields[.authorization] else { return nil }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else { return nil }
        return Array(header.utf8.dropFirst(prefix.utf8.count))
    }

    /// Whether `Authorization: Bearer <token>` carries this token; the time taken does
    /// not depend on where a wrong token first differs.
    func accepts(_ fields: HTTPFields) -> Bool {
        guard let given = Self.presented(fields) else { return false }
        return Self.constantTimeEquals(given, secret)
    }

    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        // The length difference is kept whole: truncated to a byte, lengths 256 apart would
        // compare equal.
        var difference = UInt(bitPattern: given.count ^ expected.count)
        for index in 0..<expected.count {
            let byte = index < given.count ? given[index] : ~expected[index]
            difference |= UInt(byte ^ expected[index])
        }
        return difference == 0
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Set where Element == Character {
    fileprivate static let whitespacesAndNewlines: Set<Character> = [" ", "\t", "\n", "\r"]
}
