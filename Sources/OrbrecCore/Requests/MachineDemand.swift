/// Machines asked for by a command rather than by a file (`orbrec machines request`, the API,
/// HostFactory): demand the reconciler holds like a fleet of the configuration, under the
/// request's id, until its machines are returned.
public struct MachineDemand: Hashable, Sendable, Codable {
    /// `req-…`, as the Open Resource Broker names requests; also the name of the fleet it becomes.
    public var id: String
    public var template: String
    /// How many machines were asked for.
    public var requested: Int
    /// How many are still wanted: what was asked for less what was returned, or taken back by
    /// the provider when lost machines are not replaced.
    public var count: Int
    /// Whether a machine the provider loses is replaced (true) or leaves the demand (false,
    /// as HostFactory expects for spot machines: it learns of them from getReturnRequests).
    public var replaceLost: Bool
    /// Who asked (`user@host`, or the API token's name).
    public var actor: String
    public var createdAt: Instant
    public var updatedAt: Instant
    /// When it was withdrawn whole (`destroy`): it wants nothing more, and what it holds is returned.
    public var closedAt: Instant?

    public init(id: String, template: String, requested: Int, count: Int? = nil, replaceLost: Bool = true, actor: String,
                createdAt: Instant, updatedAt: Instant? = nil, closedAt: Instant? = nil) {
        self.closedAt = closedAt
        self.id = id
        self.template = template
        self.requested = requested
        self.count = count ?? requested
        self.replaceLost = replaceLost
        self.actor = actor
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// The annotation that marks a fleet made from a demand.
    public static let requestAnnotation = "orbrec/request"
    /// When it was journaled (milliseconds): `maxMachines` is shared out to requests in that order.
    public static let requestedAtAnnotation = "orbrec/requested-at"
    /// "false" on a request that does not replace lost machines.
    public static let replaceLostAnnotation = "orbrec/replace-lost"

    /// The most machines one request may ask for: a count past it is a mistake, and would be
    /// journaled, planned and held as asked.
    public static let maxCount = 10_000

    /// The fleet that holds this demand's machines. A request's machines are handed to whoever
    /// asked: a template change does not roll over them, and a request that does not replace
    /// lost machines replaces no unhealthy one either.
    public var fleet: FleetSpec {
        var annotations = [Self.requestAnnotation: id, "orbrec/requested-by": actor,
                           Self.requestedAtAnnotation: String(createdAt.millisecondsSinceEpoch)]
        if !replaceLost { annotations[Self.replaceLostAnnotation] = "false" }
        return FleetSpec(metadata: Metadata(name: id, annotations: annotations), template: template, count: count,
                         replaceUnhealthy: replaceLost)
    }
}

extension TemplateSpec {
    /// Whether a machine request of this template replaces a machine its provider loses.
    public var replacesLostMachines: Bool { replaceLostMachines ?? true }
}
