/// Where the daemon's engine writes its log lines; the executable renders them (logfmt).
public struct DaemonLog: Sendable {
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public let emit: @Sendable (Level, String, [(String, String)]) -> Void

    public init(_ emit: @escaping @Sendable (Level, String, [(String, String)]) -> Void) {
        self.emit = emit
    }

    public func debug(_ message: String, _ fields: [(String, String)] = []) { emit(.debug, message, fields) }
    public func info(_ message: String, _ fields: [(String, String)] = []) { emit(.info, message, fields) }
    public func warning(_ message: String, _ fields: [(String, String)] = []) { emit(.warning, message, fields) }
    public func error(_ message: String, _ fields: [(String, String)] = []) { emit(.error, message, fields) }
}
