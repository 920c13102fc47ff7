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
        await withTaskGroup(of: (String, Result<[ObservedMachine], ProviderError>).self) { group in
            for name in names.sorted() {
                guard let provider = registry[name] else {
                    state.unreachableProviders[name] = "provider \(name) is not in the configuration or the state"
                    continue
                }
                group.addTask {
                    do throws(ProviderError) {
                        return (name, .success(try await provider.machines(ownedBy: owner)))
                    } catch {
                        return (name, .failure(error))
                    }
                }
            }
            for await (name, result) in group {
                switch result {
                case .success(let machines): state.machines += machines
                case .failure(let error): state.unreachableProviders[name] = error.description
                }
            }
        }
        state.machines.sort { $0.id < $1.id }
        return state
    }
}
