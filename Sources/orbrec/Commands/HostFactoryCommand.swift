internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine
internal import OrbrecHostFactory

/// `orbrec hostfactory …`: orbrec as a provider plugin of IBM Spectrum Symphony's HostFactory
/// and LSF's resource connector, which call a plugin's five scripts as `SCRIPT -f INPUT.json`.
/// examples/hostfactory/ is such a plugin: its scripts call these commands.
struct HostFactoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostfactory",
        abstract: "Answer IBM Spectrum Symphony HostFactory and LSF resource connector as a provider plugin.",
        discussion: """
            Each command is one of the five calls of HostFactory's provider plugin interface, called as HostFactory \
            calls a plugin's script: 'orbrec hostfactory requestMachines -f INPUT.json'. It answers JSON on stdout and \
            exits 0, or prints one line saying what went wrong on stdout and exits 1; nothing else is printed on \
            stdout. The configuration is -c, else $HF_PROVIDER_CONFDIR; the state is --state, else $ORBREC_STATE, \
            else beside the configuration. With $HF_PROVIDER_LOGDIR set, everything else orbrec says is appended to \
            orbrec-hostfactory.log there. Machine requests are journaled before they are answered; with no daemon \
            holding the state, each call also carries the requests it concerns on (one pass), so HostFactory's own \
            polling provisions and returns the machines.
            """,
        subcommands: [GetAvailableTemplates.self, RequestMachines.self, RequestReturnMachines.self, GetRequestStatus.self,
                      GetReturnRequests.self])
}

/// What every call takes besides the global options: the input file.
struct HostFactoryInput: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("The call's input document (JSON).", valueName: "input.json"))
    var file: String?
}

extension HostFactoryCommand {
    struct GetAvailableTemplates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "getAvailableTemplates",
            abstract: "The configuration's templates, with maxNumber (maxMachines, else 100) and ncpus, mem and type.",
            discussion: """
                A template's 'attributes: {ncpus, memMB, type}' say what its machines offer. Where they are not \
                said, a local template offers this host's cores, memory and architecture, and any other 1 CPU, \
                1024 MB and X86_64.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var input: HostFactoryInput

        func run() async throws {
            try await HostFactoryCall(script: .getAvailableTemplates, inputFile: input.file).run(global) { session, _ in
                let desired = try session.loadConfiguration().desired
                let templates = desired.templates.values.sorted { $0.name < $1.name }.map(HostFactoryTemplate.init)
                return HostFactoryCall.Answer(HostFactoryTemplates(templates: templates))
            }
        }
    }

    struct RequestMachines: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "requestMachines",
            abstract: "Journal a machine request (req-…) for {\"template\": {\"templateId\", \"machineCount\"}} and answer its id.",
            discussion: """
                The request does not replace machines its provider takes back: HostFactory decides its own demand, \
                learns of them from getReturnRequests and returns them. Two calls are two requests, as HostFactory \
                means them. The request is answered before it is carried out.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var input: HostFactoryInput

        func run() async throws {
            try await HostFactoryCall(script: .requestMachines, inputFile: input.file).run(global) { session, data in
                let asked = try HostFactoryCall.decode(HostFactoryMachineRequest.self, from: data).template
                let desired = try session.loadConfiguration().desired
                let store = try await session.openStore()
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                let demand = try await driver.reconciler.requestMachines(
                    template: asked.templateId, count: asked.machineCount, configured: desired, actor: Session.actor, replaceLost: false).demand
                let answer = HostFactoryRequestAccepted(
                    requestId: demand.id, message: "requested \(demand.requested) machine(s) of template \(demand.template)")
                return HostFactoryCall.Answer(answer) {
                    try await HostFactoryCommand.carryOut([demand.id], driver: driver, operation: "hostfactory requestMachines")
                }
            }
        }
    }

    struct GetRequestStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "getRequestStatus",
            abstract: "Each request of {\"requests\": [{\"requestId\"}]}: running, complete or complete_with_error, with its machines.",
            discussion: """
                Machine requests and return requests alike. Each machine's result is executing, succeed or fail; its \
                machineId is orbrec's machine id, its name its host name (a local machine's id). With no daemon holding \
                the state, the requests are first carried on. A request this state does not know is answered \
                complete_with_error.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var input: HostFactoryInput

        func run() async throws {
            try await HostFactoryCall(script: .getRequestStatus, inputFile: input.file).run(global) { session, data in
                let ids = try HostFactoryCall.decode(HostFactoryStatusQuery.self, from: data).requests.map(\.requestId)
                guard !ids.isEmpty else { return HostFactoryCall.Answer(HostFactoryRequestStatus(requests: [])) }
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openExistingStore() else {
                    return HostFactoryCall.Answer(HostFactoryRequestStatus(requests: ids.map { HostFactoryRequestStatus.Request(unknown: $0) }))
                }
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                do {
                    try await HostFactoryCommand.carryOut(ids, driver: driver, operation: "hostfactory getRequestStatus")
                } catch {
                    session.logger.log(.warn, "could not carry the requests on", [("error", "\(error)")])
                }
                let names = HostFactoryMachines(try await store.machines(includeFinished: true), desired: desired)
                var requests: [HostFactoryRequestStatus.Request] = []
                for id in ids {
                    do {
                        let report = try await driver.reconciler.requestReports([id])
                        requests += report.map { HostFactoryRequestStatus.Request($0, names: names) }
                    } catch let refused as MachineRequestRefused where refused.code == .unknownRequest {
                        requests.append(HostFactoryRequestStatus.Request(unknown: id))
                    }
                }
                return HostFactoryCall.Answer(HostFactoryRequestStatus(requests: requests))
            }
        }
    }

    /// One pass over the fleets the requests concern, when no other process holds the state;
    /// what could not be done is for the log.
    static func carryOut(_ ids: [String], driver: MachineRequestDriver, operation: String,
                         only: @escaping @Sendable (PlannedAction) -> Bool = { _ in true }) async throws {
        let fleets = try await driver.fleets(of: ids)
        guard !fleets.isEmpty else { return }
        guard let outcomes = try await driver.act(on: fleets, operation: operation, only: only) else {
            driver.session.logger.info("the state is held by another process (a daemon); it carries the requests out",
                                       [("requests", ids.joined(separator: ","))])
            return
        }
        for outcome in outcomes where !outcome.succeeded {
            driver.session.logger.log(.warn, "action failed", [("action", outcome.action.detail), ("message", outcome.message)])
        }
    }
}
