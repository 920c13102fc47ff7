import OrbrecCore
import OrbrecTestSupport

/// The world as a set of machines, each with what the provider reports and what the
/// journal recorded, so that plans can be applied to it without any I/O.
struct ModelWorld: Hashable, Sendable, CustomStringConvertible {
    struct Machine: Hashable, Sendable {
        var id: String
        var fleet: String
        var template: String
        var templateHash: String
        var provider: String
        var createdAt: Int64
        /// What the provider reports; nil when it does not have the machine.
        var observed: MachineState?

        /// Reported dead and never recorded: the planner ignores it.
        var isHistory: Bool { observed == .lost && recorded == nil }
        /// What the journal recorded; nil when the machine is not in the journal.
        var recorded: MachineState?
        var inFlight: Bool = false
    }

    var machines: [Machine]
    var unreachable: [String: String] = [:]
    var nextID = 0
    var clock: Int64 = 1_000

    var description: String {
        machines.map { m in
            "\(m.id)[\(m.fleet) \(m.templateHash.prefix(6)) \(m.provider) t=\(m.createdAt) obs=\(m.observed?.rawValue ?? "-") rec=\(m.recorded?.rawValue ?? "-")\(m.inFlight ? " inflight" : "")]"
        }.joined(separator: " ")
    }

    func input(_ desired: DesiredState) -> PlanInput {
        let observed = machines.compactMap { m in
            m.observed.map {
                ObservedMachine(id: m.id, fleet: m.fleet, template: m.template, templateHash: m.templateHash, provider: m.provider,
                                providerID: "model:\(m.id)", actionID: "act-model", state: $0,
                                createdAt: Instant(millisecondsSinceEpoch: m.createdAt))
            }
        }
        let recorded = machines.compactMap { m in
            m.recorded.map {
                RecordedMachine(id: m.id, fleet: m.fleet, template: m.template, templateHash: m.templateHash, provider: m.provider,
                                state: $0, createdAt: Instant(millisecondsSinceEpoch: m.createdAt), inFlight: m.inFlight)
            }
        }
        return PlanInput(desired: desired, observed: ObservedState(machines: observed, unreachableProviders: unreachable),
                         recorded: recorded)
    }

    /// Carries out a plan the way a perfect provider would, then lets the world settle:
    /// - provision adds `count` running machines of the action's template hash;
    /// - return removes the machines (returned machines are history);
    /// - replace removes the old machine and adds a new one of the current hash;
    /// then pending machines finish booting, and the journal catches up with what the
    /// providers report (unrecorded machines are adopted).
    mutating func apply(_ plan: Plan) {
        for action in plan.actions {
            switch action.verb {
            case .provision:
                for _ in 0..<action.count { add(for: action) }
            case .return:
                remove(action.machines)
            case .replace:
                remove(action.machines)
                for _ in 0..<action.count { add(for: action) }
            default:
                break
            }
        }
        settle()
    }

    private mutating func add(for action: PlannedAction) {
        nextID += 1
        clock += 1
        machines.append(Machine(id: "new\(nextID)", fleet: action.resource.name, template: action.template,
                                templateHash: action.templateHash, provider: action.provider, createdAt: clock,
                                observed: .running, recorded: .running))
    }

    private mutating func remove(_ ids: [String]) {
        let gone = Set(ids)
        machines.removeAll { gone.contains($0.id) }
    }

    mutating func settle() {
        // A dead machine the journal never held is history: the provider forgets it.
        machines.removeAll(where: \.isHistory)
        for index in machines.indices where unreachable[machines[index].provider] == nil {
            if machines[index].inFlight || machines[index].observed == .pending {
                machines[index].observed = .running
                machines[index].inFlight = false
            }
            machines[index].recorded = machines[index].observed
        }
    }

    /// Every desired fleet has exactly `count` running machines of its template's current hash,
    /// and no other machine exists. A running machine the journal does not know yet is fine:
    /// the planner adopts it (drift `unrecorded`), it needs no action. A fleet with
    /// `replaceUnhealthy: false` keeps its unhealthy machines, and they count.
    func isConverged(to desired: DesiredState) -> Bool {
        var expected: [String: Int] = [:]
        for fleet in desired.fleets.values { expected[fleet.name] = fleet.count }
        var actual: [String: Int] = [:]
        for machine in machines where !machine.isHistory {
            guard let fleet = desired.fleets[machine.fleet], let template = desired.templates[fleet.template],
                  machine.templateHash == template.specHash, machine.provider == template.provider,
                  machine.recorded == machine.observed || machine.recorded == nil, !machine.inFlight,
                  machine.observed == .running || (machine.observed == .unhealthy && !fleet.replaceUnhealthy)
            else { return false }
            actual[machine.fleet, default: 0] += 1
        }
        return expected.allSatisfy { actual[$0.key, default: 0] == $0.value }
    }
}

/// A random scenario for the planner properties: desired fleets and a world of machines.
struct Scenario: Sendable, CustomStringConvertible {
    struct Fleet: Sendable {
        var count: Int
        var oldestFirst: Bool
        var maxSurge: Int
        var maxUnavailable: Int
        var templateIndex: Int
        var replaceUnhealthy: Bool
    }

    /// How a generated machine looks to the planner.
    enum Kind: Int, CaseIterable, Sendable {
        case running, pending, unhealthy, lost, terminating, reportedLost, inFlight
    }

    struct MachineSeed: Sendable {
        var fleetIndex: Int
        var kind: Kind
        var recorded: Bool
        var outdated: Bool
        var createdAt: Int64
        var providerIndex: Int
    }

    var fleets: [Fleet]
    var seeds: [MachineSeed]
    var changedTemplates: [Bool]
    var shuffleSeed: UInt64

    static let providerNames = ["here", "there"]
    static let templateNames = ["worker", "batch"]
    /// f0..f2 may be desired; gone0 and gone1 never are.
    static let fleetNames = ["f0", "f1", "f2", "gone0", "gone1"]

    var templates: [TemplateSpec] {
        Self.templateNames.indices.map { index in
            Fixtures.template(Self.templateNames[index], provider: Self.providerNames[index],
                              command: changedTemplates[index] ? ["sleep", "3600"] : ["sleep", "infinity"])
        }
    }

    var desired: DesiredState {
        let specs = fleets.enumerated().map { index, fleet in
            Fixtures.fleet(Self.fleetNames[index], template: Self.templateNames[fleet.templateIndex], count: fleet.count,
                           scaleIn: fleet.oldestFirst ? .oldestFirst : .newestFirst,
                           maxSurge: fleet.maxSurge, maxUnavailable: fleet.maxUnavailable,
                           replaceUnhealthy: fleet.replaceUnhealthy)
        }
        return Fixtures.desired(providers: Self.providerNames.map { Fixtures.provider($0) }, templates: templates, fleets: specs)
    }

    var world: ModelWorld {
        let desired = self.desired
        let templates = self.templates
        let machines = seeds.enumerated().map { index, seed -> ModelWorld.Machine in
            let fleetName = Self.fleetNames[seed.fleetIndex]
            // A desired fleet's machines live where its template says; a removed fleet's anywhere.
            let template = desired.fleets[fleetName].flatMap { desired.templates[$0.template] }
                ?? templates[seed.providerIndex]
            var machine = ModelWorld.Machine(
                id: "m\(index < 10 ? "0" : "")\(index)", fleet: fleetName, template: template.name,
                templateHash: seed.outdated ? "stale-\(template.name)" : template.specHash, provider: template.provider,
                createdAt: seed.createdAt, observed: .running, recorded: seed.recorded ? .running : nil)
            switch seed.kind {
            case .running: break
            case .pending: machine.observed = .pending; machine.recorded = seed.recorded ? .pending : nil
            case .unhealthy: machine.observed = .unhealthy
            case .lost: machine.observed = nil; machine.recorded = .running
            case .terminating: machine.recorded = .terminating
            case .reportedLost: machine.observed = .lost
            case .inFlight: machine.observed = nil; machine.recorded = .pending; machine.inFlight = true
            }
            return machine
        }
        return ModelWorld(machines: machines)
    }

    var description: String {
        let fleetText = fleets.enumerated().map { index, f in
            "\(Self.fleetNames[index]){count=\(f.count) tpl=\(Self.templateNames[f.templateIndex]) \(f.oldestFirst ? "oldest" : "newest") surge=\(f.maxSurge) unavail=\(f.maxUnavailable) replaceUnhealthy=\(f.replaceUnhealthy)}"
        }.joined(separator: " ")
        return "fleets: [\(fleetText)] changed: \(changedTemplates) world: \(world) shuffle: \(shuffleSeed)"
    }

    /// The same input with every array (and dictionary insertion order) shuffled.
    static func shuffled(_ input: PlanInput, seed: UInt64) -> PlanInput {
        var rng = SplitMix64(seed: seed)
        var copy = input
        copy.observed.machines.shuffle(using: &rng)
        copy.recorded.shuffle(using: &rng)
        copy.known.shuffle(using: &rng)
        copy.desired = DesiredState(providers: input.desired.providers.values.shuffled(using: &rng),
                                    templates: input.desired.templates.values.shuffled(using: &rng),
                                    fleets: input.desired.fleets.values.shuffled(using: &rng),
                                    revision: input.desired.revision)
        return copy
    }
}
