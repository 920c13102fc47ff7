public import OrbrecCore
internal import Glibc

/// A process told apart from any later process that reuses its pid: the pid together
/// with the clock tick at which it started.
public struct ProcessIdentity: Hashable, Sendable, CustomStringConvertible {
    public var pid: Int32
    public var startTicks: UInt64

    public init(pid: Int32, startTicks: UInt64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    /// This process.
    public static func current() -> ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTicks: ProcFileSystem.stat(of: pid)?.startTicks ?? 0)
    }

    /// Parses `PID:STARTTICKS`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let pid = Int32(parts[0]), let ticks = UInt64(parts[1]) else { return nil }
        self.init(pid: pid, startTicks: ticks)
    }

    public var description: String { "\(pid):\(startTicks)" }

    /// Whether this very process still runs (not a zombie, not a newer process with its pid).
    public var isAlive: Bool {
        guard let stat = ProcFileSystem.stat(of: pid) else { return false }
        return stat.startTicks == startTicks && stat.state != "Z" && stat.state != "X"
    }

    /// When the process started.
    public var startedAt: Instant {
        Self.instant(fromStartTicks: startTicks)
    }

    private static let bootMilliseconds = ProcFileSystem.bootTime() * 1000

    static func instant(fromStartTicks ticks: UInt64) -> Instant {
        Instant(millisecondsSinceEpoch: bootMilliseconds + Int64(ticks) * 1000 / max(1, ProcFileSystem.ticksPerSecond))
    }
}
