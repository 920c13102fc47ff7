/// The kinds of document a configuration may hold.
public enum ResourceKind: String, Sendable, Codable, CaseIterable, Comparable {
    case provider = "Provider"
    case scheduler = "Scheduler"
    case template = "Template"
    case fleet = "Fleet"
    case taskPool = "TaskPool"
    case workflow = "Workflow"
    case policy = "Policy"

    /// Kinds this version of orbrec decodes and reconciles; the others are recognised
    /// and reported as not yet supported.
    public static let supported: Set<ResourceKind> = Set(allCases)

    public var isSupported: Bool { Self.supported.contains(self) }

    /// Accepts the canonical spelling and any casing of it (`fleet`, `FLEET`).
    public init?(caseInsensitive text: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            return nil
        }
        self = kind
    }

    private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.order < rhs.order }
}
