/// What a caller can do next with a task it posted to an api pool, from its state alone:
/// follow it (or cancel it) until it finishes; a pull pool's task is also there to be claimed.
public enum APITaskNextActions {
    /// `pathKey` is the task's key as a path segment (percent-encoded where it must be).
    public static func derive(pool: String, pathKey: String, state: TaskState, pull: Bool) -> [NextAction] {
        let task = "/api/v1/pools/\(pool)/tasks/\(pathKey)"
        guard !state.isFinished else {
            return [NextAction(action: "get", method: "GET", path: task, reason: "it has finished (\(state.rawValue)); its attempts say how")]
        }
        var next = [
            NextAction(action: "get", method: "GET", path: task, recommended: true, retryAfterSeconds: 2,
                       reason: "follow its state, attempts and last result until it finishes"),
            NextAction(action: "cancel", method: "DELETE", path: task, reason: "cancel it: a running attempt is stopped"),
        ]
        if pull {
            next.append(NextAction(action: "claim", path: "/api/v1/pools/\(pool)/claim",
                                   reason: "a worker of this pull pool claims it (with the worker scope)"))
        }
        return next
    }
}
