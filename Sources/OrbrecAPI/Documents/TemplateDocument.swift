public import OrbrecEngine
internal import Foundation
internal import OrbrecCore

/// A template as `GET /api/v1/templates` and MCP's `list_templates` show it, in the Open Resource
/// Broker's field names (`template_id`, `max_number`), with the room its `maxMachines` leaves.
public struct TemplateDocument: Encodable, Sendable, Hashable {
    /// What one machine offers, as HostFactory matches demand against it.
    public struct Attributes: Encodable, Sendable, Hashable {
        public var ncpus: Int?
        /// MiB.
        public var mem: Int?
        public var type: String?
    }

    public var templateId: String
    public var provider: String
    /// `local`, `aws`, `hostfactory`; absent when the provider is not declared.
    public var providerType: String?
    /// How an aws template's instances are requested (`RunInstances`, `EC2Fleet`, `SpotFleet`, `ASG`).
    public var providerApi: String?
    /// `maxMachines`; absent when the template has no limit.
    public var maxNumber: Int?
    /// What a request may still ask for under `maxMachines`; absent when there is no limit.
    public var available: Int?
    /// Machines the fleets and open requests of the template want now.
    public var inUse: Int
    public var attributes: Attributes

    enum CodingKeys: String, CodingKey {
        case provider, available, attributes
        case templateId = "template_id"
        case providerType = "provider_type"
        case providerApi = "provider_api"
        case maxNumber = "max_number"
        case inUse = "in_use"
    }

    public init(_ offer: TemplateOffer) {
        let template = offer.template
        templateId = template.name
        provider = template.provider
        providerType = offer.provider?.type.rawValue
        providerApi = template.settings.aws.map { ($0.providerApi ?? .runInstances).rawValue }
        maxNumber = template.maxMachines
        available = offer.available
        inUse = offer.wanted
        let set = template.attributes ?? TemplateAttributes()
        // A local machine is a process on this host: what the template leaves unsaid is the host's.
        let host = template.settings.type == .local ? Self.host : TemplateAttributes()
        attributes = Attributes(ncpus: set.ncpus ?? host.ncpus, mem: set.memMB ?? host.memMB, type: set.type ?? host.type)
    }

    /// This host's CPUs, memory and architecture, in HostFactory's words.
    static let host: TemplateAttributes = {
        #if arch(x86_64)
        let type = "X86_64"
        #elseif arch(arm64)
        let type = "ARM64"
        #else
        let type: String? = nil
        #endif
        return TemplateAttributes(ncpus: ProcessInfo.processInfo.activeProcessorCount,
                                  memMB: Int(ProcessInfo.processInfo.physicalMemory / (1 << 20)), type: type)
    }()
}

/// `GET /api/v1/templates` and MCP's `list_templates`: `{"templates": [...]}`, as ORB answers.
public struct TemplatesDocument: Encodable, Sendable, Hashable {
    public var templates: [TemplateDocument]

    public init(_ offers: [TemplateOffer]) { templates = offers.map(TemplateDocument.init) }
}
