internal import OrbrecCore
internal import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// Moves an action to `state` and journals the change, inside a write (shared by the
    /// journal's and the task paths' methods).
    func transition(_ tx: StateTransaction, actionID: String, to state: ActionRecord.State, error: String?, at now: Instant,
                    requestID: String?) async throws {
        guard var action = try await tx.fetchOne(ActionRecord.self, "SELECT * FROM actions WHERE id = \(actionID) FOR UPDATE") else { return }
        let from = action.state
        action.state = state
        action.error = error ?? action.error
        action.requestId = requestID ?? action.requestId
        action.updatedAt = now
        try await tx.update(action, in: "actions", key: ["id"])
        tx.appendEvent(at: now, resource: action.resource.description, subject: "action/\(actionID)",
                       from: from.rawValue, to: state.rawValue, cause: error ?? action.reason.description)
    }
}
