/// A hash that is the same on every run and every machine (unlike `Hasher`), used to
/// detect changed specs and to version resources. FNV-1a, 64 bits; length-prefixed fields
/// so that `("ab", "c")` and `("a", "bc")` differ.
public struct StableHasher: Sendable {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    private mutating func mix(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01B3
    }

    public mutating func combine(_ text: String) {
        combine(text.utf8.count)
        for byte in text.utf8 { mix(byte) }
    }

    public mutating func combine(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { for byte in $0 { mix(byte) } }
    }

    public mutating func combine(_ value: Bool) { mix(value ? 1 : 0) }

    public mutating func combine(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { for byte in $0 { mix(byte) } }
    }

    public mutating func combine(_ value: String?) {
        if let value { mix(1); combine(value) } else { mix(0) }
    }

    public mutating func combine(_ value: Int?) {
        if let value { mix(1); combine(value) } else { mix(0) }
    }

    public mutating func combine(_ values: [String]) {
        combine(values.count)
        for value in values { combine(value) }
    }

    /// Dictionaries are hashed in key order, so their hash does not depend on insertion order.
    public mutating func combine(_ values: [String: String]) {
        combine(values.count)
        for key in values.keys.sorted() {
            combine(key)
            combine(values[key] ?? "")
        }
    }

    public mutating func combine(_ values: [String: Int]) {
        combine(values.count)
        for key in values.keys.sorted() {
            combine(key)
            combine(values[key] ?? 0)
        }
    }

    /// Sixteen lowercase hex digits.
    public var hexDigest: String {
        let hex = String(state, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension StableHasher {
    /// The hex digest of one string.
    public static func digest(_ text: String) -> String {
        var hasher = StableHasher()
        hasher.combine(text)
        return hasher.hexDigest
    }

    /// A stable choice of one of `count` buckets for `text`.
    public static func bucket(_ text: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        let digest = Self.digest(text)
        let prefix = UInt64(digest.prefix(15), radix: 16) ?? 0
        return Int(prefix % UInt64(count))
    }
}
