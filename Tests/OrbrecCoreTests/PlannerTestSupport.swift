import Testing
import OrbrecCore
import OrbrecTestSupport

/// Small helpers shared by the planner tests. Everything is built from `Fixtures`.
enum T {
    static let template = Fixtures.template()
    static var hash: String { template.specHash }
    static let oldHash = "old-template-hash"

    static func plan(_ input: PlanInput) throws -> Plan {
        try Planner().plan(input)
    }

    /// The planner's failure, or nil (recording an issue) when it made a plan instead.
    static func failure(_ input: PlanInput, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> PlanFailure? {
        do {
            let plan = try Planner().plan(input)
            Issue.record("expected a PlanFailure, got a plan with \(plan.actions.count) action(s)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// An input where every observed machine is also recorded in the journal.
    static func input(_ desired: DesiredState, machines: [ObservedMachine], extraRecords: [RecordedMachine] = [],
                      unreachable: [String: String] = [:], known: [KnownResource] = [], allowEmpty: Bool = false) -> PlanInput {
        PlanInput(desired: desired,
                  observed: ObservedState(machines: machines, unreachableProviders: unreachable),
                  recorded: machines.map { Fixtures.record($0) } + extraRecords,
                  known: known, allowEmpty: allowEmpty)
    }

    static func running(_ ids: [String], fleet: String = "workers", createdAt: Int64 = 0) -> [ObservedMachine] {
        ids.enumerated().map { index, id in
            Fixtures.machine(id, fleet: fleet, createdAt: createdAt + Int64(index))
        }
    }

    /// `PlannedAction` with the fields tests care about; the rest compared separately.
    struct Shape: Hashable, CustomStringConvertible {
        var verb: Verb
        var resource: String
        var reason: String
        var count: Int
        var machines: [String]

        var description: String { "\(verb.rawValue) \(resource) \(reason) count=\(count) \(machines)" }
    }

    static func shapes(_ plan: Plan) -> [Shape] {
        plan.actions.map { Shape(verb: $0.verb, resource: $0.resource.description, reason: $0.reason.code,
                                 count: $0.count, machines: $0.machines) }
    }

    static func shape(_ verb: Verb, _ reason: ActionReason, count: Int = 0, machines: [String] = [],
                      fleet: String = "workers") -> Shape {
        Shape(verb: verb, resource: "Fleet/\(fleet)", reason: reason.code, count: count, machines: machines)
    }

    static func codes(_ failure: PlanFailure?) -> [String] {
        (failure?.diagnostics ?? []).map(\.code)
    }

    static let preventDestroy = [Metadata.preventDestroyAnnotation: "true"]
}

/// A tiny deterministic generator (SplitMix64) for shuffles in tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
