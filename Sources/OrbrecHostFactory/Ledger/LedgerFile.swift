public import OrbrecCore
internal import Foundation
internal import Glibc

/// The ledger on disk, and the lock that makes one operation at a time its only writer
/// across every orbrec process sharing the work directory. Operations also run the plugin's
/// scripts under this lock, so orbrec calls a plugin once at a time, except that a
/// requestMachines or requestReturnMachines still running at its timeout (or left by an
/// orbrec that died) goes on beside the calls that follow.
final class LedgerFile {
    let path: String
    private(set) var ledger: HostFactoryLedger

    private init(path: String, ledger: HostFactoryLedger) {
        self.path = path
        self.ledger = ledger
    }

    /// Runs `body` with the ledger of `directory`, locked; waits up to `wait` for another
    /// operation to finish.
    static func withLedger<T>(in directory: String, wait: Duration,
                              _ body: (LedgerFile) async throws(ProviderError) -> T) async throws(ProviderError) -> T {
        let lockPath = directory + "/ledger.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ProviderError(code: "WorkDirectory", message: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw ProviderError(code: "WorkDirectory", message: "cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
            guard clock.now < deadline else {
                throw ProviderError(code: "Busy", message: "another orbrec has been calling this plugin for longer than \(wait)", retryable: true)
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        let path = directory + "/ledger.json"
        let file = LedgerFile(path: path, ledger: try load(path))
        return try await body(file)
    }

    /// Reads the ledger; a missing file is an empty ledger, an unreadable one an error (never
    /// a fresh start, which would forget machines).
    private static func load(_ path: String) throws(ProviderError) -> HostFactoryLedger {
        guard let data = FileManager.default.contents(atPath: path) else { return HostFactoryLedger() }
        do {
            let ledger = try JSONDecoder().decode(HostFactoryLedger.self, from: data)
            guard ledger.version <= HostFactoryLedger.currentVersion else {
                throw ProviderError(code: "LedgerUnreadable", message: "\(path) was written by a newer orbrec (version \(ledger.version))")
            }
            return ledger
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(code: "LedgerUnreadable", message: "\(path) cannot be read (\(error)); it is left as it is")
        }
    }

    /// Changes the ledger and writes it at once, durably.
    func update(_ change: (inout HostFactoryLedger) -> Void) throws(ProviderError) {
        var next = ledger
        change(&next)
        guard next != ledger else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try DurableFile.write(try encoder.encode(next), to: path)
        } catch {
            throw ProviderError(code: "WorkDirectory", message: "cannot write \(path): \(error)", retryable: true)
        }
        ledger = next
    }
}
