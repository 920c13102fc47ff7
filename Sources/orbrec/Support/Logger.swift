internal import Foundation
internal import OrbrecCore

/// logfmt lines on stderr at or above the chosen level.
struct Logger: Sendable {
    let level: LogLevel

    func log(_ level: LogLevel, _ message: String, _ fields: [(String, String)] = []) {
        guard level >= self.level else { return }
        var line = "level=\(level.rawValue) msg=\(Self.quote(message))"
        for (key, value) in fields { line += " \(key)=\(Self.quote(value))" }
        try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
    }

    func info(_ message: String, _ fields: [(String, String)] = []) { log(.info, message, fields) }
    func debug(_ message: String, _ fields: [(String, String)] = []) { log(.debug, message, fields) }

    /// A logfmt value: quoted when it holds a space, quote or `=`; control characters escaped,
    /// so that a task key or a provider's message cannot forge or repaint a line.
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0 != " " && $0 != "\"" && $0 != "=" && $0 != "\\"
            && !TextEscaping.isControl($0) }
        if plain { return value }
        return "\"" + TextEscaping.escapingControls(value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")) + "\""
    }
}
