// struct stat is defined by CDispatch once another file of the module imports Dispatch (MemberImportVisibility).
internal import CDispatch
internal import Glibc

/// The tokens file (`orbrec run --tokens-file`, `ORBREC_TOKENS_FILE`): YAML or JSON,
///
/// ```yaml
/// tokens:
///   - name: ci-worker
///     sha256: 4f1c…            # the SHA-256 of the secret, 64 hex digits (orbrec token new)
///     scopes: [worker]         # read, operate, worker
///     rateLimit: {perSecond: 5, burst: 10}
/// ```
///
/// It holds hashes only, but whoever can write it can let any secret in: like an SSH key it
/// must not be open to the group or others.
public enum TokensFile {
    /// A file larger than this is refused unread: a token entry takes about 150 bytes.
    public static let maxBytes = 1 << 20

    /// Reads and checks the file at `path`.
    public static func read(_ path: String) throws(TokensFileError) -> [TokenEntry] {
        try parse(try contents(path), file: path)
    }

    /// The file's text, after the checks that come before reading: a regular file (symbolic
    /// links followed), without group or world permissions, not too large.
    static func contents(_ path: String) throws(TokensFileError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw TokensFileError("cannot open the tokens file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // The checks look at the file opened, so it cannot be swapped between check and read.
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw TokensFileError("cannot read the tokens file \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw TokensFileError("the tokens file \(path) is not a regular file") }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw TokensFileError("the tokens file \(path) is open to " + (mode & 0o070 != 0 ? "its group" : "other users")
                                  + " (mode \(String(mode, radix: 8))): whoever can change it can let any token in. "
                                  + "Make it private: chmod 600 \(path)")
        }
        guard status.st_size <= maxBytes else {
            throw TokensFileError("the tokens file \(path) is larger than \(maxBytes / 1024) KiB")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TokensFileError("cannot read the tokens file \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            guard bytes.count <= maxBytes else { throw TokensFileError("the tokens file \(path) is larger than \(maxBytes / 1024) KiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TokensFileError("the tokens file \(path) is not UTF-8 text")
        }
        return text
    }
}
