/// `type: hostfactory`: an IBM Spectrum Symphony / LSF HostFactory provider plugin, driven
/// through its five scripts as HostFactory drives them.
public struct HostFactoryProviderSettings: Hashable, Sendable, Codable {
    /// The directory holding getAvailableTemplates.sh, requestMachines.sh and the others.
    public var scriptsDir: String
    /// `HF_PROVIDER_CONFDIR`, `HF_PROVIDER_WORKDIR`, `HF_PROVIDER_LOGDIR` of each call.
    public var confDir: String?
    public var workDir: String?
    public var logDir: String?
    /// More environment for each script call (beside orbrec's own, which it cannot replace).
    public var env: [String: String]
    /// How long one script call may take before it is killed and counted as failed.
    public var timeout: ConfigDuration?

    public init(scriptsDir: String, confDir: String? = nil, workDir: String? = nil, logDir: String? = nil,
                env: [String: String] = [:], timeout: ConfigDuration? = nil) {
        self.scriptsDir = scriptsDir
        self.confDir = confDir
        self.workDir = workDir
        self.logDir = logDir
        self.env = env
        self.timeout = timeout
    }

    private enum CodingKeys: String, CodingKey {
        case scriptsDir, confDir, workDir, logDir, env, timeout
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scriptsDir = try container.decode(String.self, forKey: .scriptsDir)
        confDir = try container.decodeIfPresent(String.self, forKey: .confDir)
        workDir = try container.decodeIfPresent(String.self, forKey: .workDir)
        logDir = try container.decodeIfPresent(String.self, forKey: .logDir)
        env = try container.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
        timeout = try container.decodeIfPresent(ConfigDuration.self, forKey: .timeout)
    }

    /// The default of `timeout`.
    public static let defaultTimeout = ConfigDuration.seconds(300)
}
