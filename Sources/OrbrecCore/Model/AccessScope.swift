/// What an API token may do. The scopes are independent: an operator's token that also
/// reads lists both `read` and `operate`.
public enum AccessScope: String, Sendable, CaseIterable, Comparable, Codable {
    /// Every read: the REST GETs, the event stream, /metrics, the read-only MCP tools.
    case read
    /// Every write that changes what orbrec does: reconcile, machine requests and returns,
    /// requeue and cancel, task creation, workflow runs.
    case operate
    /// What a pull pool's worker needs: claim, heartbeat, complete, fail and release a lease,
    /// and read the tasks it works on.
    case worker

    /// Reads `read,worker` (commas, optional spaces); a failure names the first unknown scope.
    public static func list(_ text: String) -> Result<Set<AccessScope>, UnknownScope> {
        var scopes: Set<AccessScope> = []
        for part in text.split(separator: ",") {
            let name = part.trimmingSpaces
            guard let scope = AccessScope(rawValue: name) else { return .failure(UnknownScope(name: name)) }
            scopes.insert(scope)
        }
        return .success(scopes)
    }

    /// The scopes in their declared order, comma-separated.
    public static func rendered(_ scopes: Set<AccessScope>) -> String {
        allCases.filter(scopes.contains).map(\.rawValue).joined(separator: ",")
    }

    private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: AccessScope, rhs: AccessScope) -> Bool { lhs.order < rhs.order }

    /// A scope name orbrec does not know.
    public struct UnknownScope: Error, Sendable, Equatable {
        public let name: String

        public init(name: String) { self.name = name }

        public var message: String {
            "unknown scope \"\(name)\": use " + AccessScope.allCases.map(\.rawValue).joined(separator: ", ")
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
