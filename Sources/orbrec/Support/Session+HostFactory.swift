internal import OrbrecCore

extension Session {
    /// The provider of a `type: hostfactory` spec: the one line of wiring the HostFactory
    /// adapter (module OrbrecHostFactory) replaces. Until it is linked, such a provider is
    /// unavailable, so its fleets are reported and left alone rather than provisioned.
    static func hostFactoryProvider(_ spec: ProviderSpec) -> any Provider {
        UnavailableProvider(name: spec.name, error: ProviderError(
            code: "ProviderUnavailable",
            message: "provider \(spec.name) is of type hostfactory, which this build of orbrec cannot drive yet"))
    }
}
