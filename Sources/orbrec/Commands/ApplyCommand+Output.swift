internal import OrbrecCore
internal import OrbrecStore
internal import OrbrecAPI

extension ApplyCommand {
    /// `apply -o json|yaml`: the actions journaled since the apply began (it held the lock, so
    /// they are its own), oldest first, with how each ended: read back from the journal so
    /// every way out of the apply (done, failed, denied, timed out, interrupted) prints the same.
    func printJournaled(_ store: StateStore, since started: Instant, _ session: Session) async {
        let actions = ((try? await store.actions()) ?? []).filter { $0.createdAt >= started }.sorted { $0.createdAt < $1.createdAt }
        let rows = actions.map(ActionDocument.init)
        let document = AppliedDocument(actions: rows, succeeded: rows.filter { $0.state == "succeeded" }.count,
                                       failed: rows.filter { $0.state == "failed" }.count)
        do {
            try session.terminal.document(document, as: output.format)
        } catch {
            session.terminal.error("cannot write the apply's document: \(error)")
        }
    }
}

/// `apply -o json`: what the apply carried out.
struct AppliedDocument: Encodable {
    var actions: [ActionDocument]
    var succeeded: Int
    var failed: Int
}
