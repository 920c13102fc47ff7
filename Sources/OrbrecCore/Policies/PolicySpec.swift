/// `kind: Policy`: guardrails checked against every plan, with an enforcement level like
/// Sentinel's.
public struct PolicySpec: Hashable, Sendable, Codable {
    public enum Enforcement: String, Sendable, Codable, CaseIterable, Comparable {
        /// Reported; never blocks.
        case advisory
        /// Blocks `apply` unless `--policy-override "reason"` is given (and journaled).
        case softMandatory = "soft-mandatory"
        /// Blocks; no override.
        case hardMandatory = "hard-mandatory"

        private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
        public static func < (lhs: Enforcement, rhs: Enforcement) -> Bool { lhs.order < rhs.order }
    }

    public var metadata: Metadata
    public var enforcement: Enforcement
    public var description: String?
    public var rules: [PolicyRule]

    public init(metadata: Metadata, enforcement: Enforcement, description: String? = nil, rules: [PolicyRule]) {
        self.metadata = metadata
        self.enforcement = enforcement
        self.description = description
        self.rules = rules
    }

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.policy, name) }
}
