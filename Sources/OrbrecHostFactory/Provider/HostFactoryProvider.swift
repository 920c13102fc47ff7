public import OrbrecCore
internal import Foundation

/// The `hostfactory` provider: machines come from any HostFactory provider plugin (IBM's
/// cloud plugins, the Open Resource Broker), driven through its scripts as Symphony and LSF
/// drive them. One order is one requestMachines; a return is one requestReturnMachines;
/// observation is one getRequestStatus over every request still holding machines, and one
/// getReturnRequests for the machines the cloud may be taking back.
///
/// Plugins do not tag machines with orbrec's ids, so the provider keeps its own ledger of
/// which request made which machine (see `HostFactoryLedger`), under the work directory.
public final class HostFactoryProvider: Provider {
    public let name: String
    public let plugin: HostFactoryPlugin
    let clock: any Clock
    /// Called at the points a crash would matter (`hostfactory.after-intent`,
    /// `hostfactory.after-request-machines`, `hostfactory.after-return-machines`).
    let checkpoint: @Sendable (String) -> Void

    public init(name: String, plugin: HostFactoryPlugin, clock: any Clock = WallClock(),
                checkpoint: @escaping @Sendable (String) -> Void = { _ in }) {
        self.name = name
        self.plugin = plugin
        self.clock = clock
        self.checkpoint = checkpoint
    }

    public func machines(ownedBy owner: String) async throws -> [ObservedMachine] {
        try await withLedger { file throws(ProviderError) in
            try await self.settleCalls(file)
            try await self.refresh(file, owner: owner)
            return file.ledger.observedMachines(owner: owner, provider: self.name)
        }
    }

    /// Every operation holds the ledger for its whole length, script calls included (up to
    /// their timeout): waits behind another one at most one script's timeout and a little more.
    func withLedger<T>(_ body: (LedgerFile) async throws(ProviderError) -> T) async throws(ProviderError) -> T {
        try plugin.prepareDirectories()
        return try await LedgerFile.withLedger(in: plugin.orbrecDirectory, wait: .milliseconds(plugin.timeout.milliseconds) + .seconds(30), body)
    }
}

/// The wall clock, for callers that give none.
public struct WallClock: Clock {
    public init() {}

    public func now() -> Instant {
        Instant(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
