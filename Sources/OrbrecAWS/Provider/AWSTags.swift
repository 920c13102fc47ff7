/// The tags orbrec puts on every instance: ownership and identity, so observation finds
/// what it owns by tag, never by the journal.
enum AWSTags {
    static let managedBy = "orbrec:managed-by"
    static let provider = "orbrec:provider"
    static let fleet = "orbrec:fleet"
    static let machine = "orbrec:machine"
    static let action = "orbrec:action"
    static let template = "orbrec:template"
    static let templateHash = "orbrec:template-hash"
}
