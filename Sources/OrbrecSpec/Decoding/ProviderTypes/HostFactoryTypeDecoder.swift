internal import OrbrecCore

/// `type: hostfactory`: machines come from a HostFactory provider plugin's scripts.
enum HostFactoryTypeDecoder {
    static let decoder = ProviderTypeDecoder(providerFields: providerFields, templateFields: templateFields, provider: provider,
                                             template: template)

    /// Set from `confDir`, `workDir` and `logDir`, never through `env`.
    static let ownVariables = ["HF_PROVIDER_CONFDIR", "HF_PROVIDER_WORKDIR", "HF_PROVIDER_LOGDIR"]

    static let providerFields = [
        FieldSchema("scriptsDir", .string(nonEmpty: true),
                    "The plugin's scripts directory, holding getAvailableTemplates.sh, requestMachines.sh, requestReturnMachines.sh, "
                    + "getRequestStatus.sh and getReturnRequests.sh. Required for hostfactory."),
        FieldSchema("confDir", .string(nonEmpty: true), "HF_PROVIDER_CONFDIR of each script call: the plugin's configuration (hostfactory)."),
        FieldSchema("workDir", .string(nonEmpty: true), "HF_PROVIDER_WORKDIR of each script call: the plugin's own state (hostfactory)."),
        FieldSchema("logDir", .string(nonEmpty: true), "HF_PROVIDER_LOGDIR of each script call (hostfactory)."),
        FieldSchema("env", .stringMap, "More environment for each script call; HF_PROVIDER_CONFDIR, WORKDIR and LOGDIR come from "
                    + "confDir, workDir and logDir (hostfactory)."),
        FieldSchema("timeout", .duration, "How long one script call may take before it is killed and fails (default 5m; hostfactory)."),
    ]

    static let templateFields = [
        FieldSchema("templateId", .string(nonEmpty: true),
                    "The plugin's own template id, as its getAvailableTemplates lists it (default: the template's name; hostfactory)."),
    ]

    static func provider(_ spec: MappingReader, owner: String) -> ProviderSettings? {
        let context = spec.context
        if spec.value("scriptsDir") == nil && !spec.isExplained("scriptsDir") {
            context.error("missing-field", "Provider '\(owner)' of type hostfactory needs spec.scriptsDir (the plugin's scripts directory)",
                          at: spec.node)
        }
        let scriptsDir = spec.nonEmptyString("scriptsDir")
        let confDir = spec.nonEmptyString("confDir")
        let workDir = spec.nonEmptyString("workDir")
        let logDir = spec.nonEmptyString("logDir")
        let env = spec.stringMap("env")
        var valid = true
        for key in (env ?? [:]).keys.sorted() {
            if ownVariables.contains(key) {
                context.error("reserved-variable", "spec.env may not set \(key): it comes from spec.\(Self.field(for: key))", at: spec.value("env"))
                valid = false
            } else if key.isEmpty || key.contains("=") || key.contains("\0") {
                context.error("invalid-value", "spec.env key '\(key)' is not an environment variable name", at: spec.value("env"))
                valid = false
            }
        }
        let timeout = spec.duration("timeout")
        if let timeout, timeout.milliseconds <= 0 {
            context.error("invalid-value", "spec.timeout must be more than 0", at: spec.value("timeout"))
            valid = false
        }
        guard valid, let scriptsDir else { return nil }
        return .hostfactory(HostFactoryProviderSettings(scriptsDir: scriptsDir, confDir: confDir, workDir: workDir, logDir: logDir,
                                                        env: env ?? [:], timeout: timeout))
    }

    private static func field(for variable: String) -> String {
        switch variable {
        case "HF_PROVIDER_CONFDIR": "confDir"
        case "HF_PROVIDER_WORKDIR": "workDir"
        default: "logDir"
        }
    }

    static func template(_ spec: MappingReader, name: String, uses provider: ProviderUse) -> TemplateSettings? {
        if spec.value("templateId") != nil {
            guard let templateId = spec.nonEmptyString("templateId") else { return nil }
            return .hostfactory(HostFactoryTemplateSettings(templateId: templateId))
        }
        return .hostfactory(HostFactoryTemplateSettings(templateId: name))
    }
}
