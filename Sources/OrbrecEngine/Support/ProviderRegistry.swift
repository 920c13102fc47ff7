public import OrbrecCore

/// Builds a provider adapter from its spec. The executable wires the concrete adapters;
/// the engine only ever sees `any Provider`.
public typealias ProviderFactory = @Sendable (ProviderSpec) -> (any Provider)?

/// The providers of one pass: those the configuration declares, and those applied before
/// that still hold machines.
struct ProviderRegistry: Sendable {
    private(set) var providers: [String: any Provider] = [:]
    private(set) var specs: [String: ProviderSpec] = [:]

    init(desired: DesiredState, applied: [ProviderSpec], factory: ProviderFactory) {
        for spec in applied where desired.providers[spec.name] == nil {
            register(spec, factory)
        }
        for spec in desired.providers.values {
            register(spec, factory)
        }
    }

    private mutating func register(_ spec: ProviderSpec, _ factory: ProviderFactory) {
        specs[spec.name] = spec
        if let provider = factory(spec) { providers[spec.name] = provider }
    }

    subscript(name: String) -> (any Provider)? { providers[name] }

    func maxInFlight(of name: String) -> Int { specs[name]?.maxInFlight ?? ProviderSpec.defaultMaxInFlight }
}

/// Builds a scheduler adapter from its spec.
public typealias SchedulerFactory = @Sendable (SchedulerSpec) -> (any Scheduler)?

/// The schedulers of one pass: declared, and applied before.
struct SchedulerRegistry: Sendable {
    private(set) var schedulers: [String: any Scheduler] = [:]

    init(desired: DesiredState, applied: [SchedulerSpec], factory: SchedulerFactory) {
        for spec in applied where desired.schedulers[spec.name] == nil {
            if let scheduler = factory(spec) { schedulers[spec.name] = scheduler }
        }
        for spec in desired.schedulers.values {
            if let scheduler = factory(spec) { schedulers[spec.name] = scheduler }
        }
        // Pull pools are served by orbrec's lease table; it is asked whenever a pull pool exists
        // or leases may still be open (a pull pool just removed still has attempts to cancel).
        let leases = SchedulerSpec(metadata: Metadata(name: TaskPoolSpec.pullScheduler), type: .leases)
        if let scheduler = factory(leases) { schedulers[leases.name] = scheduler }
    }

    subscript(name: String) -> (any Scheduler)? { schedulers[name] }
}
