public import OrbrecCore
internal import Foundation

extension HostFactoryProvider {
    /// The provider a `type: hostfactory` spec describes. Relative paths are taken from
    /// `baseDirectory` (the configuration's directory), since the scripts run elsewhere. Without
    /// a `workDir` the plugin works, and orbrec keeps its ledger, in
    /// `<stateDirectory>/hostfactory/<provider>`.
    public static func make(_ spec: ProviderSpec, baseDirectory: String, stateDirectory: String, environment: [String: String],
                            checkpoint: @escaping @Sendable (String) -> Void = { _ in }) -> any Provider {
        guard case .hostfactory(let settings) = spec.settings else {
            return UnavailableProvider(name: spec.name, error: ProviderError(code: "WrongType", message: "provider \(spec.name) is not of type hostfactory"))
        }
        let base = absolute(baseDirectory, from: FileManager.default.currentDirectoryPath)
        func resolved(_ path: String) -> String { absolute(path, from: base) }
        let workDirectory = settings.workDir.map(resolved)
            ?? absolute(stateDirectory, from: FileManager.default.currentDirectoryPath) + "/hostfactory/" + spec.name
        let plugin = HostFactoryPlugin(
            providerName: spec.name, scriptsDirectory: resolved(settings.scriptsDir), confDirectory: settings.confDir.map(resolved),
            workDirectory: workDirectory, logDirectory: settings.logDir.map(resolved), extra: settings.env, base: environment,
            timeout: settings.timeout ?? HostFactoryProviderSettings.defaultTimeout)
        return HostFactoryProvider(name: spec.name, plugin: plugin, checkpoint: checkpoint)
    }

    static func absolute(_ path: String, from directory: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory, isDirectory: true)).standardizedFileURL.path
    }
}
