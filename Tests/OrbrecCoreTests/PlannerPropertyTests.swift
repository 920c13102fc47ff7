import Testing
import OrbrecCore
import OrbrecTestSupport
import PropertyBased

/// Properties of the planner over random worlds: it converges, a converged world plans
/// nothing, it only touches machines it was shown (each at most once), and its answer does
/// not depend on the order of its input.
@Suite("Planner properties")
struct PlannerPropertyTests {
    static let cases = 300
    static let maxPasses = 3

    // MARK: Generators

    static let fleetGen = zip(
        Gen.int(in: 0...6), Gen.bool, Gen.int(in: 0...2), Gen.int(in: 0...2), Gen.int(in: 0...1), Gen.bool
    ).map { t in
        // maxSurge and maxUnavailable are never both 0 (the configuration loader rejects that).
        Scenario.Fleet(count: t.0, oldestFirst: t.1, maxSurge: t.2 == 0 && t.3 == 0 ? 1 : t.2, maxUnavailable: t.3,
                       templateIndex: t.4, replaceUnhealthy: t.5)
    }

    static let machineGen = zip(
        Gen.int(in: 0...6), Gen.int(in: 0...(Scenario.Kind.allCases.count - 1)), Gen.bool(0.8), Gen.bool(0.3),
        Gen.int64(in: 0...20), Gen.int(in: 0...1)
    ).map { t in
        // Mostly machines of f0...f2 (desired when generated), sometimes of a fleet that is gone.
        Scenario.MachineSeed(fleetIndex: t.0 < 5 ? t.0 % 3 : t.0 - 2, kind: Scenario.Kind(rawValue: t.1) ?? .running, recorded: t.2, outdated: t.3,
                             createdAt: t.4, providerIndex: t.5)
    }

    static let scenarios = zip(
        fleetGen.array(of: 0...3), machineGen.array(of: 0...12), Gen.bool(0.3).array(of: 2), Gen.uint64(in: 0...UInt64.max)
    ).map { t in
        Scenario(fleets: t.0, seeds: t.1, changedTemplates: t.2, shuffleSeed: t.3)
    }

    // MARK: Checks

    /// What every plan must respect, whatever the world: it acts only on machines it was
    /// shown, at most once each, on the fleet and provider that own them, with well-formed actions.
    static func checkActions(of plan: Plan, in world: ModelWorld, desired: DesiredState,
                             sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for problem in problems(of: plan, in: world, desired: desired) {
            Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation)
        }
    }

    /// What is wrong with a plan's actions for this world: empty when every action is sound.
    static func problems(of plan: Plan, in world: ModelWorld, desired: DesiredState) -> [String] {
        let machines = Dictionary(uniqueKeysWithValues: world.machines.map { ($0.id, $0) })
        var seen: Set<String> = []
        var problems: [String] = []
        func require(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { problems.append(message()) }
        }
        for action in plan.actions {
            require(action.resource.kind == .fleet, "\(action.resource) is not a fleet")
            switch action.verb {
            case .provision:
                require(action.count > 0 && action.machines.isEmpty, "bad provision: \(action.detail)")
            case .replace:
                require(action.count == 1 && action.machines.count == 1, "bad replace: \(action.detail)")
            case .return:
                require(action.count == 0 && !action.machines.isEmpty, "bad return: \(action.detail)")
            default:
                problems.append("unexpected verb \(action.verb) for a fleet")
            }
            if action.verb == .provision || action.verb == .replace {
                let fleet = desired.fleets[action.resource.name]
                let template = fleet.flatMap { desired.templates[$0.template] }
                require(template != nil, "\(action.resource) creates machines but is not desired")
                require(action.templateHash == template?.specHash, "\(action.resource) creates an outdated machine")
                require(action.provider == template?.provider, "\(action.resource) creates on the wrong provider")
            }
            for id in action.machines {
                let machine = machines[id]
                require(machine != nil, "\(action.verb) names \(id), which is not in the input")
                require(seen.insert(id).inserted, "\(id) is in more than one action")
                require(machine?.fleet == action.resource.name, "\(id) is not a machine of \(action.resource)")
                let holder = action.verb == .replace ? (action.returnProvider ?? action.provider) : action.provider
                require(machine?.provider == holder, "\(id) is not held by \(holder)")
                require(world.unreachable[machine?.provider ?? ""] == nil, "\(id) is on an unreachable provider")
            }
        }
        return problems
    }

    static func plan(_ world: ModelWorld, _ desired: DesiredState, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Plan? {
        do {
            return try Planner().plan(world.input(desired))
        } catch {
            Issue.record("no plan: \(error.diagnostics.map(\.rendered))", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: Properties

    /// 1 and 2: plan + apply repeatedly reaches the desired world within a few passes, and
    /// the world reached plans nothing.
    @Test(.shrinking) func repeatedPlanAndApplyConverges() async {
        await propertyCheck(count: Self.cases, input: Self.scenarios) { scenario in
            let desired = scenario.desired
            var world = scenario.world
            var applied = 0
            while true {
                guard let plan = Self.plan(world, desired) else { return }
                Self.checkActions(of: plan, in: world, desired: desired)
                if plan.actions.isEmpty {
                    // Nothing to do but wait: let booting machines finish and the journal catch up,
                    // then plan again (that is not a pass: nothing was applied).
                    var settled = world
                    settled.settle()
                    if settled == world { break }
                    world = settled
                    continue
                }
                guard applied < Self.maxPasses else {
                    Issue.record("still planning \(plan.actions.map(\.detail)) after \(applied) passes; world: \(world)")
                    return
                }
                world.apply(plan)
                applied += 1
            }
            #expect(world.isConverged(to: desired), "not converged after \(applied) pass(es): \(world)")
            // Every plan is complete: one apply is all it takes.
            #expect(applied <= 1, "took \(applied) passes")
        }
    }

    /// 2, directly: a world built converged plans nothing and reports no drift.
    @Test func convergedWorldPlansNothing() async {
        await propertyCheck(count: Self.cases, input: Self.scenarios) { scenario in
            let desired = scenario.desired
            var machines: [ModelWorld.Machine] = []
            for fleet in desired.sortedFleets {
                guard let template = desired.templates[fleet.template] else { continue }
                for index in 0..<fleet.count {
                    machines.append(ModelWorld.Machine(
                        id: "\(fleet.name)-\(index)", fleet: fleet.name, template: template.name, templateHash: template.specHash,
                        provider: template.provider, createdAt: Int64(index % 3), observed: .running, recorded: .running))
                }
            }
            let world = ModelWorld(machines: machines)
            #expect(world.isConverged(to: desired))
            guard let plan = Self.plan(world, desired) else { return }
            #expect(plan.actions.isEmpty, "\(plan.actions.map(\.detail))")
            #expect(plan.drift.isEmpty)
            #expect(plan.summary.values.allSatisfy { $0 == 0 })
        }
    }

    /// 3: whatever the world (unhealthy machines kept or not), actions touch only input
    /// machines, each at most once, so nothing is both returned and replaced.
    @Test(.shrinking) func actionsOnlyTouchInputMachinesOnce() async {
        await propertyCheck(count: Self.cases, input: Self.scenarios) { scenario in
            let desired = scenario.desired
            let world = scenario.world
            guard let plan = Self.plan(world, desired) else { return }
            Self.checkActions(of: plan, in: world, desired: desired)
            let returned = Set(plan.actions.filter { $0.verb == .return }.flatMap(\.machines))
            let replaced = Set(plan.actions.filter { $0.verb == .replace }.flatMap(\.machines))
            #expect(returned.isDisjoint(with: replaced))
            // Only the healthy, current, recorded, running machines of desired fleets may be left untouched
            // when their fleet is not over its count.
            let touched = returned.union(replaced)
            for machine in world.machines where !touched.contains(machine.id) && !machine.isHistory {
                #expect(desired.fleets[machine.fleet] != nil, "\(machine.id) of a removed fleet is left behind")
            }
        }
    }

    /// 4: the plan does not depend on the order of the input arrays or of the configuration.
    @Test(.shrinking) func planIsIndependentOfInputOrder() async {
        await propertyCheck(count: Self.cases, input: Self.scenarios) { scenario in
            let input = scenario.world.input(scenario.desired)
            let shuffled = Scenario.shuffled(input, seed: scenario.shuffleSeed)
            let first = Result { () throws(PlanFailure) in try Planner().plan(input) }
            let second = Result { () throws(PlanFailure) in try Planner().plan(shuffled) }
            let again = Result { () throws(PlanFailure) in try Planner().plan(input) }
            #expect(first == second)
            #expect(first == again)
        }
    }

    /// Unreachable providers: nothing of theirs is touched, nothing of theirs is called lost,
    /// and there is one warning per unreachable provider.
    @Test(.shrinking) func unreachableProvidersAreLeftAlone() async {
        await propertyCheck(count: Self.cases, input: Self.scenarios, Gen.int(in: 0...1)) { scenario, down in
            let desired = scenario.desired
            var world = scenario.world
            let provider = Scenario.providerNames[down]
            world.unreachable = [provider: "timeout"]
            guard let plan = Self.plan(world, desired) else { return }
            Self.checkActions(of: plan, in: world, desired: desired)
            #expect(plan.warnings.map(\.code) == ["provider-unreachable"])
            for action in plan.actions {
                #expect(action.provider != provider, "\(action.detail)")
            }
            let onProvider = Set(world.machines.filter { $0.provider == provider }.map(\.id))
            for item in plan.drift {
                #expect(!onProvider.contains(item.machine), "drift \(item.kind) for \(item.machine)")
            }
            let merged = FleetMachine.merge(observed: world.input(desired).observed, recorded: world.input(desired).recorded)
            for machine in merged where machine.provider == provider {
                #expect(machine.state != .lost || world.machines.first { $0.id == machine.id }?.observed == .lost,
                        "\(machine.id) of an unreachable provider was marked lost")
            }
        }
    }

    /// Scaling in returns exactly the newest (or oldest) machines of an up-to-date, running fleet.
    @Test func scaleInReturnsTheNewestOrOldest() async {
        let input = zip(Gen.int64(in: 0...1_000).array(of: 1...8), Gen.int(in: 0...8), Gen.bool)
        await propertyCheck(count: Self.cases, input: input) { times, wanted, oldestFirst in
            let count = min(wanted, times.count)
            let machines = times.enumerated().map { Fixtures.machine("m\($0.offset)", createdAt: $0.element) }
            let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: count, scaleIn: oldestFirst ? .oldestFirst : .newestFirst)])
            guard let plan = try? T.plan(T.input(desired, machines: machines)) else {
                Issue.record("no plan")
                return
            }
            let order = machines.sorted {
                if $0.createdAt != $1.createdAt { return oldestFirst ? $0.createdAt < $1.createdAt : $0.createdAt > $1.createdAt }
                return $0.id < $1.id
            }
            let expected = order.prefix(times.count - count).map(\.id).sorted()
            if expected.isEmpty {
                #expect(plan.actions.isEmpty)
            } else {
                #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: expected)])
            }
        }
    }

    /// Rolling waves: each wave has at most maxSurge + maxUnavailable machines, at most
    /// maxSurge of them surge first, waves are numbered 1...waves without gaps.
    @Test func rollingWavesRespectTheUpdateStrategy() async {
        let input = zip(Gen.int(in: 1...9), Gen.int(in: 0...3), Gen.int(in: 0...3), Gen.int(in: 0...9))
        await propertyCheck(count: Self.cases, input: input) { outdated, surge, unavailable, current in
            let maxSurge = surge == 0 && unavailable == 0 ? 1 : surge
            let machines = (0..<outdated).map { Fixtures.machine("o\($0)", templateHash: T.oldHash, createdAt: Int64($0)) }
                + (0..<current).map { Fixtures.machine("c\($0)", createdAt: Int64($0)) }
            let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: outdated + current, maxSurge: maxSurge,
                                                                   maxUnavailable: unavailable)])
            guard let plan = try? T.plan(T.input(desired, machines: machines)) else {
                Issue.record("no plan")
                return
            }
            #expect(plan.actions.allSatisfy { $0.verb == .replace && $0.reason == .templateChanged })
            #expect(Set(plan.actions.flatMap(\.machines)) == Set(machines.prefix(outdated).map(\.id)))
            let waveSize = maxSurge + unavailable
            let waves = (outdated + waveSize - 1) / waveSize
            #expect(plan.actions.allSatisfy { $0.waves == waves })
            #expect(plan.actions.compactMap(\.wave) == plan.actions.compactMap(\.wave).sorted())
            #expect(Set(plan.actions.compactMap(\.wave)) == Set(1...waves))
            for wave in 1...waves {
                let members = plan.actions.filter { $0.wave == wave }
                #expect(members.count <= waveSize)
                #expect(members.filter(\.surgeFirst).count <= maxSurge)
                #expect(members.filter(\.surgeFirst).count == min(maxSurge, members.count))
            }
        }
    }

    /// The summary counts exactly the machines the plan creates and gives back.
    @Test func summaryMatchesTheActions() async {
        await propertyCheck(count: Self.cases, input: Self.scenarios) { scenario in
            guard let plan = Self.plan(scenario.world, scenario.desired) else { return }
            let summary = plan.summary
            #expect(Set(summary.keys) == Set(Verb.allCases))
            #expect(summary[.provision] == plan.actions.filter { $0.verb == .provision }.reduce(0) { $0 + $1.count })
            #expect(summary[.return] == plan.actions.filter { $0.verb == .return }.reduce(0) { $0 + $1.machines.count })
            #expect(summary[.replace] == plan.actions.filter { $0.verb == .replace }.count)
        }
    }
}
