/// Who may call the API: the tokens in force, their rate limits, and the refusals counted.
/// One per daemon; the tokens file's reload replaces the keyring's entries in place.
public final class AccessControl: Sendable {
    public let keyring: TokenKeyring
    let limiter = RateLimiter()
    let refusals = RefusalCounter()

    public init(keyring: TokenKeyring) {
        self.keyring = keyring
    }

    /// A tokens file's entries in force for the next request; the buckets of tokens gone are dropped.
    public func replaceFileTokens(_ entries: [TokenEntry]) {
        keyring.replaceFileTokens(entries)
        limiter.keep(Set(keyring.entries.map(\.name)))
    }
}
