internal import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Asks every provider for the machines it holds for this state, concurrently. A provider
    /// that fails is reported unreachable, and the planner leaves its fleets alone.
    func observe(_ registry: ProviderRegistry, recorded: [MachineRecord]) async -> ObservedState {
        var names = Set(registry.providers.keys)
        names.formUnion(recorded.map(\.provider))
        let owner = store.stateID
        var state = ObservedState()
        await withTaskGroup(of: Observation.self) { group in
            for name in names.sorted() {
                guard let provider = registry[name] else {
                    state.unreachableProviders[name] = "provider \(name) is not in the configuration or the state"
                    continue
                }
                group.addTask {
                    do {
                        return Observation(provider: name, machines: try await provider.machines(ownedBy: owner), problem: nil)
                    } catch let error as ProviderError {
                        return Observation(provider: name, machines: [], problem: error.description)
                    } catch {
                        return Observation(provider: name, machines: [], problem: "\(error)")
                    }
                }
            }
            for await observation in group {
                if let problem = observation.problem {
                    state.unreachableProviders[observation.provider] = problem
                } else {
                    state.machines += observation.machines
                }
            }
        }
        state.machines.sort { $0.id < $1.id }
        return state
    }
}

/// One provider's answer.
struct Observation: Sendable {
    var provider: String
    var machines: [ObservedMachine]
    var problem: String?
}
