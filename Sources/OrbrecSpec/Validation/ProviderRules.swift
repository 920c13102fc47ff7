internal import OrbrecCore

/// What each provider type needs of its own spec.
enum ProviderRules {
    static let awsOnly = ["region", "endpoint", "profile"]

    static func check(_ provider: ProviderSpec, _ resource: DecodedResource) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        switch provider.type {
        case .aws:
            if provider.region == nil && !resource.writtenFields.contains("region") {
                diagnostics.append(.error("missing-field", "Provider '\(provider.name)' of type aws needs spec.region (for example us-east-1)",
                                          at: provider.metadata.location))
            }
        case .local, .hostfactory:
            for field in awsOnly where resource.writtenFields.contains(field) {
                diagnostics.append(.error("field-not-applicable",
                                          "spec.\(field) applies to aws providers; provider '\(provider.name)' is \(provider.type.rawValue)",
                                          at: resource.fieldLocations[field]))
            }
        }
        return diagnostics
    }
}
