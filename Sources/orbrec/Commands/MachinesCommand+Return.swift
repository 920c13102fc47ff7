internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine

extension MachinesCommand {
    struct Return: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Return machines: a return request (ret-…), journaled before anything is returned.",
            discussion: """
                A machine of a machine request leaves it: the request wants one fewer and nothing replaces it. A machine \
                of a fleet of the configuration is replaced by its fleet at the next apply unless its count drops. \
                With no daemon holding the state this command returns the machines itself; with one, the daemon does.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Machine ids.", completion: ResourceCompletion.kind(.machine))
        var ids: [String] = []

        @Option(help: ArgumentHelp("Return every machine a machine request holds.", valueName: "req-id"))
        var request: String?

        @Flag(help: "With --template: every machine that machine requests of the template hold.")
        var all = false

        @Option(help: "The template for --all.")
        var template: String?

        @Option(help: "How long to wait for the state lock before leaving the return to the process that holds it.")
        var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        @Flag(help: "Wait until the machines are returned.")
        var wait = false

        @Option(help: "How long --wait waits.")
        var timeout: ConfigDuration = .seconds(600)

        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Return despite soft-mandatory policy violations; journaled with who and why.", valueName: "reason"))
        var policyOverride: String?

        func validate() throws {
            if let policyOverride, policyOverride.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--policy-override needs a reason")
            }
            let ways = [!ids.isEmpty, request != nil, all].filter { $0 }.count
            if ways != 1 { throw ValidationError("name the machines one way: machine ids, --request REQ, or --all --template T") }
            if all != (template != nil) { throw ValidationError("--all and --template go together") }
        }

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                let reconciler = driver.reconciler
                let say = output.format.isDocument ? session.terminal.err : session.terminal.out
                // The engine checks and journals the return as it does for the API and MCP
                // (unknown machines, then the policies, the override journaled with who and
                // why); this command only shows what it said. --request and --all --template
                // give requests back whole: they are withdrawn, so they want nothing more, and
                // what they hold is returned after the same check.
                let returned: (id: String, machines: [String])
                do {
                    if !ids.isEmpty {
                        let admitted = try await reconciler.admitReturn(ids, configured: desired, actor: Session.actor,
                                                                        policyOverride: policyOverride)
                        show(admitted.policy, say: say, session: session)
                        returned = (admitted.id, admitted.machines)
                    } else {
                        var requests = request.map { [$0] } ?? []
                        if let template { requests = try await reconciler.openRequests(template: template) }
                        if requests.isEmpty {
                            say("no machine to return")
                            if output.format.isDocument { try session.terminal.document(OutcomesDocument([]), as: output.format) }
                            return .success
                        }
                        let withdrawn = try await reconciler.admitWithdrawal(requests, configured: desired, actor: Session.actor,
                                                                             policyOverride: policyOverride)
                        show(withdrawn.policy, say: say, session: session)
                        say("withdrawn: \(requests.joined(separator: ", "))")
                        guard let id = withdrawn.returnID else {
                            if output.format.isDocument { try session.terminal.document(OutcomesDocument([]), as: output.format) }
                            return .success
                        }
                        returned = (id, withdrawn.machines)
                    }
                } catch let refused as MachineRequestRefused {
                    if refused.code == .policyDenied, let policy = refused.policy {
                        show(policy, say: say, session: session)
                        throw CommandFailure(.policyDenied, "a policy denied the return; nothing was returned")
                    }
                    throw refused.commandFailure
                }
                say("\(returned.id): returning \(returned.machines.joined(separator: ", "))")
                let named = Set(returned.machines)
                let fleets = try await driver.fleets(of: [returned.id])
                let acted = try await driver.act(on: fleets, operation: "machines return", lockTimeout: lockTimeout) { action in
                    action.verb == .return && action.machines.contains(where: named.contains)
                }
                if acted == nil { say("the state is locked by another process (a daemon or an apply); it returns the machines") }
                let outcomes = acted ?? []
                if wait {
                    let deadline = Date().addingTimeInterval(Double(timeout.milliseconds) / 1000)
                    let report = try require(try await driver.reports([returned.id], act: true, until: deadline).first, "report of \(returned.id)")
                    if !report.status.isFinished {
                        throw CommandFailure(.error, "\(returned.id) is still \(report.status.rawValue) after \(timeout)")
                    }
                }
                if output.format.isDocument {
                    var document = OutcomesDocument(outcomes)
                    document.requestId = returned.id
                    try session.terminal.document(document, as: output.format)
                    return outcomes.allSatisfy(\.succeeded) ? .success : .error
                }
                for outcome in outcomes {
                    let mark = outcome.succeeded ? session.terminal.green("✓") : session.terminal.red("✗")
                    session.terminal.out("\(mark) return \(outcome.action.detail): \(outcome.message) [\(outcome.requests.joined(separator: ", "))]")
                }
                return outcomes.allSatisfy(\.succeeded) ? .success : .error
            }
        }

        /// The policy section of the return's plan, when a rule found anything (a return every
        /// rule passes says nothing of the policies).
        private func show(_ policy: PolicyReport, say: (String) -> Void, session: Session) {
            guard !policy.violations.isEmpty, let rendered = PolicyRenderer(terminal: session.terminal).render(policy, override: policyOverride) else {
                return
            }
            say(rendered)
        }
    }
}
