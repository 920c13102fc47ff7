/// The `metadata` block every document carries, with where it was written.
public struct Metadata: Hashable, Sendable, Codable {
    public var name: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// Where the document starts.
    public var location: SourceLocation?

    public init(name: String, labels: [String: String] = [:], annotations: [String: String] = [:], location: SourceLocation? = nil) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
        self.location = location
    }

    public static let preventDestroyAnnotation = "orbrec/prevent-destroy"

    public var preventsDestroy: Bool { annotations[Self.preventDestroyAnnotation] == "true" }
}
