/// Fresh identifiers for actions, requests and machines.
enum Identifiers {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")

    static func random(_ length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    static func action() -> String { "act-" + random(12) }
    /// Short: a run's pools are named `<run>-<step>`.
    static func workflowRun() -> String { "wr-" + random(8) }
    static func request(_ prefix: String) -> String { prefix + random(12) }
    /// `workers-7fk2p`, like a Kubernetes pod name: the fleet says where it belongs.
    static func machine(fleet: String) -> String { "\(fleet)-\(random(5))" }
}
