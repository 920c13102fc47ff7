public import OrbrecCore

/// The result of reading the configuration directory: a desired state, or every problem.
public enum ConfigurationLoad: Sendable {
    case valid(DesiredState)
    case invalid([Diagnostic])
}
