/// The state's database could not be reached or could not do its part (a connection lost, a
/// server shutting down, a disk full on the server): a failure of the state itself, not of
/// what was asked of it. Its message never carries a password.
public struct StateUnavailable: Error, Sendable, CustomStringConvertible {
    public var message: String

    package init(_ message: String) { self.message = message }

    public var description: String { message }
}
