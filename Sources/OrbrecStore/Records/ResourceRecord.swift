public import OrbrecCore
public import GRDB
internal import Foundation

/// A resource as last applied: its generation, spec hash, where it was written, and status.
public struct ResourceRecord: Codable, Sendable, Hashable {
    public var kind: ResourceKind
    public var name: String
    /// Incremented each time the applied spec changes.
    public var generation: Int
    public var specHash: String
    public var sourceFile: String?
    public var sourceLine: Int?
    public var sourceColumn: Int?
    public var labels: [String: String]
    public var annotations: [String: String]
    /// The applied spec as JSON, so a resource removed from the configuration (a provider
    /// whose machines must still be returned) can be acted on.
    public var spec: String
    public var version: String
    public var status: String
    public var conditions: [Condition]
    public var appliedAt: Instant

    public var id: ResourceID { ResourceID(kind, name) }

    public var location: SourceLocation? {
        guard let sourceFile, let sourceLine, let sourceColumn else { return nil }
        return SourceLocation(file: sourceFile, line: sourceLine, column: sourceColumn)
    }

    public var known: KnownResource {
        var known = KnownResource(id: id, annotations: annotations, location: location)
        known.fields = appliedFields
        return known
    }

    /// The diffed fields of the applied spec, for the plan's updates; nil for kinds a plan does
    /// not diff, and for a spec this version cannot read.
    var appliedFields: [String: String]? {
        let data = Data(spec.utf8)
        switch kind {
        case .template: return (try? JSONDecoder().decode(TemplateSpec.self, from: data))?.fieldValues
        case .fleet: return (try? JSONDecoder().decode(FleetSpec.self, from: data))?.fieldValues
        default: return nil
        }
    }
}

/// A Kubernetes-style condition.
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String
    public var message: String
    public var observedGeneration: Int
    public var lastTransitionTime: Instant

    public init(type: String, status: String, reason: String, message: String, observedGeneration: Int, lastTransitionTime: Instant) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }
}

extension ResourceRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "resources"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
