internal import Foundation
internal import OrbrecCore
internal import OrbrecSlurm
internal import OrbrecSpec
internal import OrbrecStore

extension TasksCommand.Logs {
    /// An attempt's output kept on a cluster reached over SSH (a slurm scheduler with `ssh`),
    /// fetched from there; nil when the pool's scheduler keeps its files beside the state.
    static func clusterOutput(_ session: Session, store: StateStore, pool: String, key: String, attempt: Int,
                              standardError: Bool) async throws -> Data? {
        let desired = try session.loadConfiguration().desired
        guard let schedulerName = desired.pools[pool]?.scheduler, let spec = desired.schedulers[schedulerName], spec.type == .slurm,
              let connection = Session.sshConnection(for: spec, configuration: session.global.config,
                                                     stateDirectory: session.stateDirectory) else { return nil }
        let scheduler = SlurmScheduler(spec: spec, root: session.taskDirectory, runner: Session.executablePath, connection: connection,
                                       version: Session.runnerVersion)
        do {
            let bytes = try await scheduler.clusterOutput(owner: store.stateID, pool: pool, key: key, attempt: attempt,
                                                          standardError: standardError)
            guard let bytes else {
                throw CommandFailure(.error, "attempt \(attempt) of \(pool)/\(key) has no output on \(connection.destination)")
            }
            return Data(bytes)
        } catch let error as ProviderError {
            throw CommandFailure(.error, "cannot fetch the output of \(pool)/\(key) attempt \(attempt) from scheduler \(spec.name): \(error.description)")
        }
    }
}
