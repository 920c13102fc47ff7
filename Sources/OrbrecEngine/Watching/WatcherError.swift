internal import Glibc

/// Why a watcher could not start; `code` is stable for callers that fall back to polling.
public struct WatcherError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension WatcherError {
    /// Captures `errno` right after the failed call named by `what`.
    static func fromErrno(code: String, what: String) -> WatcherError {
        let number = errno
        return WatcherError(code: code, message: "\(what): \(String(cString: strerror(number))) (errno \(number))")
    }
}
