/// What a caller can do next with a machine request or return request, from its status alone:
/// poll until it settles, then use (or give back) the machines it holds.
public enum MachineRequestNextActions {
    public static func derive(requestID: String, kind: RequestKind, status: RequestStatus) -> [NextAction] {
        let follow = "/api/v1/requests/\(requestID)"
        guard status.isFinished else {
            return [NextAction(action: "get", method: "GET", path: follow, recommended: true, retryAfterSeconds: 2,
                               reason: "poll its status (and each machine's) until it is complete, partial or failed")]
        }
        guard kind == .provision, status == .complete || status == .partial else {
            return [NextAction(action: "get", method: "GET", path: follow, reason: "it has ended (\(status.rawValue))")]
        }
        return [
            NextAction(action: "get", method: "GET", path: follow, reason: "its machines with their addresses"),
            NextAction(action: "return", path: "/api/v1/machines/return",
                       reason: "give machines back with {\"machine_ids\": [...]} when the work on them is done"),
        ]
    }
}
