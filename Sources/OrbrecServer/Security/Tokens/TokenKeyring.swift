internal import HTTPTypes
internal import Synchronization

/// The tokens the daemon accepts now: the single token (`ORBREC_TOKEN`, `--token-file`), if
/// any, and the tokens file's entries, which a reload replaces at once for new requests.
public final class TokenKeyring: Sendable {
    private let single: TokenEntry?
    private let fileEntries: Mutex<[TokenEntry]>

    public init(single: BearerToken?, file: [TokenEntry] = []) {
        self.single = single?.entry
        fileEntries = Mutex(file)
    }

    /// Puts a tokens file's entries in force in place of the last ones.
    public func replaceFileTokens(_ entries: [TokenEntry]) {
        fileEntries.withLock { $0 = entries }
    }

    /// Every token in force, the single one first.
    public var entries: [TokenEntry] {
        (single.map { [$0] } ?? []) + fileEntries.withLock { $0 }
    }

    /// Whether any token could be accepted (an emptied tokens file accepts none).
    public var isEmpty: Bool { entries.isEmpty }

    /// The token `Authorization: Bearer <secret>` presents, or nil. The presented secret is
    /// hashed once and compared with every entry, each in constant time and with no early
    /// exit, so the time taken says nothing of which entry came close.
    func identify(_ fields: HTTPFields) -> TokenEntry? {
        guard let secret = BearerToken.presented(fields) else { return nil }
        let digest = TokenDigest.of(secret)
        var found: TokenEntry?
        for entry in entries {
            let equal = BearerToken.constantTimeEquals(digest, entry.digest)
            if equal && found == nil { found = entry }
        }
        return found
    }
}
