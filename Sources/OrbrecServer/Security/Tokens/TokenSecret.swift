/// Secrets for the tokens file, as `orbrec token` makes and hashes them.
public enum TokenSecret {
    /// 32 bytes from the system's secure generator, as 64 hex digits (like `openssl rand -hex 32`).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return TokenDigest.hex((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// What the tokens file's `sha256` holds for `secret`: the SHA-256 of its bytes, as written
    /// after `Bearer `, in lower-case hex.
    public static func sha256(_ secret: String) -> String {
        TokenDigest.hex(TokenDigest.of(Array(secret.utf8)))
    }
}
