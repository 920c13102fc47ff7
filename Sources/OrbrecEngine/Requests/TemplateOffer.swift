public import OrbrecCore

/// A template as those who request machines see it (`GET /api/v1/templates`, MCP's
/// `list_templates`): its spec, its provider, and how many more machines its `maxMachines`
/// leaves for requests.
public struct TemplateOffer: Sendable, Hashable {
    public var template: TemplateSpec
    /// Nil when the template names a provider the configuration does not declare.
    public var provider: ProviderSpec?
    /// The machines the fleets wanting this template ask for now: the files', running workflow
    /// runs' and open machine requests'. This is the sum `maxMachines` limits.
    public var wanted: Int

    public init(template: TemplateSpec, provider: ProviderSpec?, wanted: Int) {
        self.template = template
        self.provider = provider
        self.wanted = wanted
    }

    /// How many machines a request may still ask for; nil when the template has no limit.
    public var available: Int? { template.maxMachines.map { max(0, $0 - wanted) } }

    /// Every template of `configured`, by name, counted against the fleets of `effective` (the
    /// configuration with what workflow runs and machine requests add).
    public static func all(configured: DesiredState, effective: DesiredState) -> [TemplateOffer] {
        var wanted: [String: Int] = [:]
        for fleet in effective.fleets.values { wanted[fleet.template, default: 0] += fleet.count }
        return configured.templates.values.sorted { $0.name < $1.name }.map { template in
            TemplateOffer(template: template, provider: configured.providers[template.provider], wanted: wanted[template.name] ?? 0)
        }
    }
}
