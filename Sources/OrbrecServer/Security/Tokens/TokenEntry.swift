public import OrbrecCore

/// One API token as the daemon knows it: a name for logs and metrics, the SHA-256 of its
/// secret (never the secret), what it may do, and how fast it may ask.
public struct TokenEntry: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    /// The SHA-256 of the secret, 32 bytes.
    let digest: [UInt8]
    public let scopes: Set<AccessScope>
    public let rateLimit: RateLimit?

    init(name: String, digest: [UInt8], scopes: Set<AccessScope>, rateLimit: RateLimit? = nil) {
        self.name = name
        self.digest = digest
        self.scopes = scopes
        self.rateLimit = rateLimit
    }

    /// The name the single token of `ORBREC_TOKEN` or `--token-file` goes by; a tokens file
    /// may not use it.
    public static let singleTokenName = "token"

    public var description: String {
        "TokenEntry(\(name), scopes: \(AccessScope.rendered(scopes)), digest redacted)"
    }
}

/// How many requests a token may make: `perSecond` on average, `burst` at once.
public struct RateLimit: Sendable, Equatable {
    public let perSecond: Double
    public let burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}
