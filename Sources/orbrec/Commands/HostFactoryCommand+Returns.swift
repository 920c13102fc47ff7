internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine
internal import OrbrecHostFactory

extension HostFactoryCommand {
    struct RequestReturnMachines: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "requestReturnMachines",
            abstract: "Journal a return request (ret-…) for {\"machines\": [{\"name\", \"machineId\"}]} and answer its id.",
            discussion: """
                A machine leaves its request, which wants one fewer: nothing replaces it. Machines their provider \
                took back (those getReturnRequests listed) are returned at once. A call naming only machines one return \
                request holds already answers that request. Machines this state does not know are left out and logged; \
                when none is known the call fails.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var input: HostFactoryInput

        func run() async throws {
            try await HostFactoryCall(script: .requestReturnMachines, inputFile: input.file).run(global) { session, data in
                let named = try HostFactoryCall.decode(HostFactoryMachineList.self, from: data).machines
                guard !named.isEmpty else { throw MachineRequestRefused(.invalidCount, "no machine to return in the input") }
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                let machines = HostFactoryMachines(try await store.machines(includeFinished: true), desired: desired)
                let ids = named.compactMap(machines.resolve)
                let unknown = named.filter { machines.resolve($0) == nil }.map { $0.machineId ?? $0.name }
                guard !ids.isEmpty else {
                    throw MachineRequestRefused(.unknownMachine, "not a machine this state knows: \(unknown.joined(separator: ", "))")
                }
                if !unknown.isEmpty {
                    session.logger.log(.warn, "left out machines this state does not know", [("machines", unknown.joined(separator: ","))])
                }
                // A return is a plan of its own, as for `machines return`: the plan rules (no mass
                // return) judge it before it is journaled. HostFactory cannot override them; a
                // person can, with `orbrec machines return --policy-override`.
                let (policy, _) = try await driver.reconciler.returnPolicy(ids, configured: desired)
                if policy.blocks(overridden: false) {
                    let denials = policy.blocking.map { "\($0.policy)/\($0.rule): \($0.message)" }
                    throw MachineRequestRefused(.policyDenied, "a policy denies the return: " + denials.joined(separator: "; "))
                }
                let returned = try await driver.reconciler.returnMachinesAdoptingReclaimed(ids, actor: Session.actor)
                let message = returned.created ? "returning \(returned.machines.count) machine(s)"
                    : "already being returned by \(returned.id)"
                let answer = HostFactoryRequestAccepted(requestId: returned.id, message: message)
                let asked = Set(returned.machines)
                return HostFactoryCall.Answer(answer) {
                    try await HostFactoryCommand.carryOut([returned.id], driver: driver, operation: "hostfactory requestReturnMachines") { action in
                        action.verb == .return && action.machines.contains(where: asked.contains)
                    }
                }
            }
        }
    }

    struct GetReturnRequests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "getReturnRequests",
            abstract: "Of {\"machines\": [{\"name\", \"machineId\"}]}, those their provider took back: HostFactory then returns them.",
            discussion: """
                A machine is listed once its provider no longer has it (a spot instance reclaimed, an instance or \
                process ended outside orbrec) until a return request names it, with gracePeriod 0: it is gone \
                already. With no daemon holding the state, the machines' requests are first carried on, which is when \
                orbrec notices. Machines this state does not know are not listed; no machines in, none out.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var input: HostFactoryInput

        func run() async throws {
            try await HostFactoryCall(script: .getReturnRequests, inputFile: input.file).run(global) { session, data in
                let named = try HostFactoryCall.decode(HostFactoryMachineList.self, from: data).machines
                let none = HostFactoryCall.Answer(HostFactoryReturnRequests(requests: [], status: "complete", message: ""))
                guard !named.isEmpty else { return none }
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openExistingStore() else { return none }
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                let before = HostFactoryMachines(try await store.machines(includeFinished: true), desired: desired)
                var asked: [String: HostFactoryMachineList.Machine] = [:]
                for machine in named {
                    if let id = before.resolve(machine) { asked[id] = machine }
                }
                do {
                    let fleets = Set(asked.keys.compactMap { before.records[$0]?.fleet })
                    if !fleets.isEmpty, try await driver.act(on: fleets, operation: "hostfactory getReturnRequests") == nil {
                        session.logger.info("the state is held by another process (a daemon); it notices machines taken back")
                    }
                } catch {
                    session.logger.log(.warn, "could not look at the machines' providers now", [("error", "\(error)")])
                }
                let gone = try await driver.reconciler.machinesTakenBack(among: asked.keys.sorted())
                let requests = gone.compactMap { id in
                    asked[id].map { HostFactoryReturnRequests.Request(machine: $0.name.isEmpty ? before.name(of: id) : $0.name,
                                                                      machineId: $0.machineId ?? id, gracePeriod: 0) }
                }
                return HostFactoryCall.Answer(HostFactoryReturnRequests(requests: requests, status: "complete", message: ""))
            }
        }
    }
}
