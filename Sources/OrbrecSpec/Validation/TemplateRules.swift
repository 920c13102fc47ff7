internal import OrbrecCore

/// What a template needs, given the type of the provider it names.
enum TemplateRules {
    static let ec2Fields = ["providerApi", "imageId", "instanceType", "instanceTypes", "subnetIds", "securityGroupIds",
                            "keyName", "userData", "priceType", "tags"]

    static func check(_ template: TemplateSpec, _ resource: DecodedResource, provider: ProviderSpec) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let written = resource.writtenFields
        func error(_ code: String, _ message: String, _ field: String?) {
            diagnostics.append(.error(code, message, at: field.flatMap { resource.fieldLocations[$0] } ?? template.metadata.location))
        }
        let uses = "Template '\(template.name)' uses \(provider.type.rawValue) provider '\(provider.name)'"
        switch provider.type {
        case .local:
            if template.command == nil && !written.contains("command") {
                error("missing-field", "\(uses), which needs spec.command (the argv each machine runs)", nil)
            }
            for field in ec2Fields where written.contains(field) {
                error("field-not-applicable", "spec.\(field) applies to aws templates; \(uses)", field)
            }
        case .aws:
            if written.contains("command") {
                error("field-not-applicable", "spec.command applies to local templates; \(uses) (use spec.userData for a boot script)", "command")
            }
            if template.imageId == nil && !written.contains("imageId") {
                error("missing-field", "\(uses), which needs spec.imageId (an AMI id)", nil)
            }
            if !written.contains("instanceType") && !written.contains("instanceTypes") {
                error("missing-field", "\(uses), which needs spec.instanceType, or spec.instanceTypes with providerApi: EC2Fleet", nil)
            }
            if written.contains("instanceTypes") && template.providerApi != .ec2Fleet && !written.contains("providerApi") {
                error("invalid-value", "spec.instanceTypes (weighted types) needs providerApi: EC2Fleet; RunInstances launches one type, given as spec.instanceType",
                      "instanceTypes")
            } else if written.contains("instanceTypes") && template.providerApi == .runInstances {
                error("invalid-value", "spec.instanceTypes (weighted types) needs providerApi: EC2Fleet; RunInstances launches one type, given as spec.instanceType",
                      "instanceTypes")
            }
        case .hostfactory:
            break
        }
        return diagnostics
    }
}
