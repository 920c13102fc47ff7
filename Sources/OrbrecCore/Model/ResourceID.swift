/// A resource's identity: its kind and name, written `Fleet/workers`.
public struct ResourceID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var kind: ResourceKind
    public var name: String

    public init(_ kind: ResourceKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `Fleet/workers` (the kind in any case).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = ResourceKind(caseInsensitive: parts[0]), !parts[1].isEmpty else {
            return nil
        }
        self.init(kind, parts[1])
    }

    public var description: String { "\(kind.rawValue)/\(name)" }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        lhs.kind == rhs.kind ? lhs.name < rhs.name : lhs.kind < rhs.kind
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = ResourceID(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a resource id: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
