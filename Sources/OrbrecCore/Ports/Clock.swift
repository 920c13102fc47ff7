/// The port through which time enters; the core itself never reads a clock.
public protocol Clock: Sendable {
    func now() -> Instant
}
