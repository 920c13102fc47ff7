internal import OrbrecCore
internal import OrbrecHostFactory

extension Session {
    /// Makes the providers of `type: hostfactory` specs: the plugin's scripts with relative
    /// paths taken from the configuration directory, its work directory (and orbrec's ledger of
    /// its requests) beside the state unless `workDir` names one.
    func hostFactoryProviders(environment: [String: String],
                              failpoint: @escaping @Sendable (String) -> Void) -> @Sendable (ProviderSpec) -> any Provider {
        let configuration = global.config
        let stateDirectory = self.stateDirectory
        return { spec in
            HostFactoryProvider.make(spec, baseDirectory: configuration, stateDirectory: stateDirectory, environment: environment,
                                     checkpoint: failpoint)
        }
    }
}
