internal import Foundation
internal import Glibc
internal import OrbrecEngine

/// The daemon's logfmt lines on stderr. Under systemd (`JOURNAL_STREAM` set) each line
/// starts with its syslog priority (`<6>`) and carries no timestamp: the journal adds both.
struct DaemonLogger: Sendable {
    let level: LogLevel
    let journal: Bool

    init(level: LogLevel, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.level = level
        journal = !(environment["JOURNAL_STREAM"] ?? "").isEmpty
    }

    func line(_ level: DaemonLog.Level, _ message: String, _ fields: [(String, String)], at date: Date = Date()) -> String {
        let name = switch level {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warn"
        case .error: "error"
        }
        var line = journal ? "<\(Self.priority(level))>" : "ts=\(Self.timestamp(date)) "
        line += "level=\(name) msg=\(Logger.quote(message))"
        for (key, value) in fields { line += " \(key)=\(Logger.quote(value))" }
        return line
    }

    func log(_ level: DaemonLog.Level, _ message: String, _ fields: [(String, String)] = []) {
        guard Self.threshold(level) >= self.level else { return }
        // write(2), not FileHandle: a closed stderr (a log shipper restarting, `| tee` ended)
        // must lose the line, not crash the daemon.
        let bytes = Array((line(level, message, fields) + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    var daemonLog: DaemonLog { DaemonLog { level, message, fields in self.log(level, message, fields) } }

    static func threshold(_ level: DaemonLog.Level) -> LogLevel {
        switch level {
        case .debug: .debug
        case .info: .info
        case .warning: .warn
        case .error: .error
        }
    }

    /// sd-daemon(3) priorities: 3 error, 4 warning, 6 info, 7 debug.
    static func priority(_ level: DaemonLog.Level) -> Int {
        switch level {
        case .debug: 7
        case .info: 6
        case .warning: 4
        case .error: 3
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
