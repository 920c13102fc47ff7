import Foundation
import Glibc
import Testing
import OrbrecCore
import OrbrecLocal

/// The local provider against real processes: every machine is a real process, found by
/// its tags in `/proc`, and every test kills what it started.
@Suite struct LocalProviderTests {
    static let sleeper = ["sleep", "30"]

    @Test func provisionedMachinesAreFoundByTheirOwnerEvenByANewProvider() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let ids = ["workers-a", "workers-b", "workers-c"]
        let outcomes = await world.provision(provider, world.order(Self.sleeper, machines: ids))
        defer { world.cleanUp(outcomes) }

        #expect(outcomes.map(\.machineID) == ids)
        #expect(outcomes.allSatisfy { $0.succeeded })
        for outcome in outcomes {
            let handle = try #require(outcome.providerID)
            #expect(handle.wholeMatch(of: /local:[0-9]+:[0-9]+/) != nil, "\(handle)")
            let identity = try #require(Proc.identity(of: handle))
            #expect(identity.isAlive)
            #expect(Proc.stat(of: identity.pid)?.session == identity.pid, "a session of its own")
            #expect(Proc.stat(of: identity.pid)?.startTicks == identity.startTicks)
        }

        let found = try await provider.machines(ownedBy: world.owner)
        #expect(found.map(\.id) == ids)
        #expect(found.map(\.providerID) == outcomes.map(\.providerID))
        let now = Date().timeIntervalSince1970 * 1000
        for machine in found {
            #expect(machine.state == .running)
            #expect(machine.fleet == "workers")
            #expect(machine.template == "worker")
            #expect(machine.templateHash == "hash-test")
            #expect(machine.actionID == "act-test")
            #expect(machine.provider == "here")
            #expect(abs(Double(machine.createdAt.millisecondsSinceEpoch) - now) < 10_000, "created about now")
        }

        #expect(try await provider.machines(ownedBy: "st-test-someone-else-\(UUID())").isEmpty)
        #expect(try await world.provider(name: "elsewhere").machines(ownedBy: world.owner).isEmpty,
                "another provider's name: not its machines")

        // As after a restart of orbrec: a new provider finds them by their tags alone.
        let restarted = world.provider()
        let again = try await restarted.machines(ownedBy: world.owner)
        #expect(again.map(\.id) == ids)
        #expect(again.map(\.providerID) == found.map(\.providerID))
        #expect(again.allSatisfy { $0.state == .running })
    }

    @Test func aProcessIsIdentifiedByItsPidTogetherWithItsStartTime() async throws {
        let current = ProcessIdentity.current()
        #expect(current.pid == getpid())
        #expect(current.startTicks > 0)
        #expect(current.isAlive)
        #expect(ProcessIdentity(pid: current.pid, startTicks: current.startTicks + 1).isAlive == false)
        #expect(ProcessIdentity(pid: current.pid, startTicks: current.startTicks &- 1).isAlive == false)

        #expect(ProcessIdentity(parsing: current.description) == current)
        #expect(ProcessIdentity(parsing: "12:34") == ProcessIdentity(pid: 12, startTicks: 34))
        #expect(ProcessIdentity(parsing: "12") == nil)
        #expect(ProcessIdentity(parsing: "a:b") == nil)
        #expect(ProcessIdentity(parsing: "1:2:3") == nil)

        let world = LocalWorld()
        let outcomes = await world.provision(world.provider(), world.order(Self.sleeper, machines: ["workers-a"]))
        defer { world.cleanUp(outcomes) }
        let machine = try #require(outcomes.first?.providerID.flatMap(Proc.identity(of:)))
        #expect(machine.isAlive)
        #expect(ProcessIdentity(pid: machine.pid, startTicks: machine.startTicks + 7).isAlive == false,
                "the same pid with another start time is another process")
    }

    @Test func returningStopsTheMachinesAndReturningAGoneOneSucceeds() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let ids = ["workers-a", "workers-b", "workers-c"]
        let outcomes = await world.provision(provider, world.order(Self.sleeper, machines: ids))
        defer { world.cleanUp(outcomes) }
        #expect(try await provider.machines(ownedBy: world.owner).count == 3)

        let returned = await provider.returnMachines(world.returnOrder(outcomes))
        #expect(returned.map(\.machineID) == ids)
        #expect(returned.allSatisfy { $0.succeeded })
        #expect(returned.map(\.providerID) == outcomes.map(\.providerID))
        for outcome in outcomes {
            let identity = try #require(outcome.providerID.flatMap(Proc.identity(of:)))
            #expect(!identity.isAlive)
        }
        #expect(try await provider.machines(ownedBy: world.owner).isEmpty)
        #expect(world.processes().isEmpty, "nothing with this owner's tags runs")

        // Again: already gone, still a success; so is a machine that was never seen.
        let twice = await provider.returnMachines(world.returnOrder(outcomes))
        #expect(twice.count == 3)
        #expect(twice.allSatisfy { $0.succeeded })
        let never = await provider.returnMachines(world.returnOrder([(id: "workers-x", providerID: nil),
                                                                     (id: "workers-y", providerID: "local:not-a-handle")]))
        #expect(never.map(\.machineID) == ["workers-x", "workers-y"])
        #expect(never.allSatisfy { $0.succeeded })
    }

    @Test func aNewProviderCanReturnMachinesItDidNotStart() async throws {
        let world = LocalWorld()
        let outcomes = await world.provision(world.provider(), world.order(Self.sleeper, machines: ["workers-a"]))
        defer { world.cleanUp(outcomes) }
        let restarted = world.provider()
        let returned = await restarted.returnMachines(world.returnOrder(outcomes))
        #expect(returned.allSatisfy { $0.succeeded })
        #expect(try await restarted.machines(ownedBy: world.owner).isEmpty)
        #expect(world.processes().isEmpty)
    }

    @Test func aKilledMachineDisappearsFromTheObservation() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let outcomes = await world.provision(provider, world.order(Self.sleeper, machines: ["workers-a", "workers-b"]))
        defer { world.cleanUp(outcomes) }
        let victim = try #require(outcomes.first?.providerID.flatMap(Proc.identity(of:)))

        #expect(kill(victim.pid, SIGKILL) == 0)

        let gone = try await eventually { try await provider.machines(ownedBy: world.owner).map(\.id) == ["workers-b"] }
        #expect(gone, "the killed machine is no longer reported, so it will be planned as lost")
        #expect(!victim.isAlive)
        // Another provider (another orbrec) does not report it either, reaped or not.
        #expect(try await world.provider().machines(ownedBy: world.owner).map(\.id) == ["workers-b"])
    }

    @Test func onlyTheSessionLeaderIsAMachineAndReturningKillsTheWholeGroup() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let outcomes = await world.provision(provider, world.order(["sh", "-c", "sleep 30 & sleep 30 & wait"], machines: ["workers-a"]))
        defer { world.cleanUp(outcomes) }
        let leader = try #require(outcomes.first?.providerID.flatMap(Proc.identity(of:)))

        // The shell and its two sleeps all carry the machine's tags.
        let started = await eventually {
            let children = world.processes(ofMachine: "workers-a").filter { $0 != leader.pid }
            return children.count == 2 && children.allSatisfy { Proc.commandLine(of: $0) == ["sleep", "30"] }
        }
        #expect(started, "the shell has started its two sleeps")
        let children = world.processes(ofMachine: "workers-a").filter { $0 != leader.pid }
        #expect(children.allSatisfy { Proc.stat(of: $0)?.processGroup == leader.pid })

        let found = try await provider.machines(ownedBy: world.owner)
        #expect(found.map(\.id) == ["workers-a"], "listed once")
        #expect(found.first?.providerID == outcomes.first?.providerID, "as its session leader")

        let returned = await provider.returnMachines(world.returnOrder(outcomes))
        #expect(returned.allSatisfy { $0.succeeded })
        #expect(!leader.isAlive)
        let noneLeft = await eventually(timeout: .seconds(2)) { world.processes(ofMachine: "workers-a").isEmpty }
        #expect(noneLeft, "no grandchild survives: \(world.processes(ofMachine: "workers-a").map(Proc.commandLine(of:)))")
        #expect(children.allSatisfy { !Proc.isRunning($0) })
    }

    @Test func aProcessIgnoringTERMIsKilledAfterTheStopTimeout() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let outcomes = await world.provision(provider, world.order(["sh", "-c", "trap '' TERM; sleep 30 & wait"], machines: ["workers-a"],
                                                            stopTimeoutMilliseconds: 300))
        defer { world.cleanUp(outcomes) }
        let leader = try #require(outcomes.first?.providerID.flatMap(Proc.identity(of:)))
        #expect(await eventually { world.processes(ofMachine: "workers-a").count == 2 }, "the shell has started its sleep")
        #expect(Proc.environment(of: leader.pid)["ORBREC_STOP_TIMEOUT_MS"] == "300")

        let clock = ContinuousClock()
        let started = clock.now
        let returned = await provider.returnMachines(world.returnOrder(outcomes))
        let elapsed = clock.now - started

        #expect(returned.allSatisfy { $0.succeeded })
        #expect(elapsed >= .milliseconds(290), "TERM was ignored, so it waited the stop timeout: \(elapsed)")
        #expect(elapsed < .seconds(5), "then KILL: \(elapsed)")
        #expect(!leader.isAlive)
        #expect(await eventually(timeout: .seconds(2)) { world.processes(ofMachine: "workers-a").isEmpty })
    }

    @Test func aMachineThatHonoursTERMIsReturnedWithoutWaitingTheStopTimeout() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let outcomes = await world.provision(provider, world.order(Self.sleeper, machines: ["workers-a"], stopTimeoutMilliseconds: 10_000))
        defer { world.cleanUp(outcomes) }
        let clock = ContinuousClock()
        let started = clock.now
        let returned = await provider.returnMachines(world.returnOrder(outcomes))
        #expect(returned.allSatisfy { $0.succeeded })
        // Well below the 10 s stop timeout, with room for a busy machine.
        #expect(clock.now - started < .seconds(5))
        #expect(world.processes().isEmpty)
    }

    /// BUG (LocalProvider.terminate): the leader exits on TERM at once while a process of its
    /// group ignores TERM. `terminate` waits only for the leader, so KILL is never sent to the
    /// group and the return reports success while that process runs on. Nothing finds it
    /// again (only session leaders are machines), so it leaks for good.
    @Test func returningKillsGroupMembersThatOutliveTheLeader() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let outcomes = await world.provision(provider, world.order(["sh", "-c", "(trap '' TERM; exec sleep 30) & exec sleep 30"],
                                                            machines: ["workers-a"], stopTimeoutMilliseconds: 300))
        defer { world.cleanUp(outcomes) }
        let leader = try #require(outcomes.first?.providerID.flatMap(Proc.identity(of:)))
        // Wait until the child ignores TERM and both run sleep.
        let ready = await eventually {
            let processes = world.processes(ofMachine: "workers-a")
            return processes.count == 2 && processes.allSatisfy { Proc.commandLine(of: $0) == ["sleep", "30"] }
                && processes.filter { $0 != leader.pid }.allSatisfy { Proc.ignoresTERM($0) }
        }
        #expect(ready, "the machine runs a sleep that ignores TERM under a sleep that does not")

        let returned = await provider.returnMachines(world.returnOrder(outcomes))
        #expect(returned.allSatisfy { $0.succeeded })
        #expect(!leader.isAlive)
        #expect(try await provider.machines(ownedBy: world.owner).isEmpty)
        let noneLeft = await eventually(timeout: .seconds(1)) { world.processes(ofMachine: "workers-a").isEmpty }
        #expect(noneLeft, "a process of the returned machine's group still runs: \(world.processes(ofMachine: "workers-a"))")
    }

    @Test func aStoppedProcessIsUnhealthy() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let outcomes = await world.provision(provider, world.order(Self.sleeper, machines: ["workers-a"]))
        defer {
            // Continued before it is killed (cleanUp also continues every group it kills).
            if let leader = outcomes.first?.providerID.flatMap(Proc.identity(of:)), leader.isAlive { kill(leader.pid, SIGCONT) }
            world.cleanUp(outcomes)
        }
        let leader = try #require(outcomes.first?.providerID.flatMap(Proc.identity(of:)))

        #expect(kill(leader.pid, SIGSTOP) == 0)
        let stopped = try await eventually { try await provider.machines(ownedBy: world.owner).first?.state == .unhealthy }
        #expect(stopped)
        let machine = try #require(try await provider.machines(ownedBy: world.owner).first)
        #expect(machine.message.contains("stopped"))

        #expect(kill(leader.pid, SIGCONT) == 0)
        #expect(try await eventually { try await provider.machines(ownedBy: world.owner).first?.state == .running })
    }

    @Test func aCommandThatDoesNotExistFailsToSpawn() async throws {
        let world = LocalWorld()
        let outcomes = await world.provision(world.provider(), world.order(["/nonexistent/x"], machines: ["workers-a", "workers-b"]))
        defer { world.cleanUp(outcomes) }
        #expect(outcomes.map(\.machineID) == ["workers-a", "workers-b"])
        for outcome in outcomes {
            let error = try #require(outcome.error)
            #expect(error.code == "spawn-failed")
            #expect(error.message.contains("/nonexistent/x"), "\(error.message)")
            #expect(outcome.providerID == nil)
        }
        #expect(world.processes().isEmpty)
    }

    @Test(arguments: [nil, [String]()])
    func aTemplateWithoutACommandIsInvalid(command: [String]?) async throws {
        let world = LocalWorld()
        let outcomes = await world.provision(world.provider(), world.order(command, machines: ["workers-a", "workers-b"]))
        defer { world.cleanUp(outcomes) }
        #expect(outcomes.map(\.machineID) == ["workers-a", "workers-b"])
        #expect(outcomes.allSatisfy { $0.error?.code == "invalid-template" && $0.providerID == nil })
        #expect(outcomes.first?.error?.message.contains("worker") == true)
        #expect(world.processes().isEmpty)
    }

    @Test func outputGoesToTheMachinesLogFile() async throws {
        let world = LocalWorld()
        let outcomes = await world.provision(world.provider(), world.order(["sh", "-c", "echo hello; echo oops >&2; sleep 30"],
                                                                   machines: ["workers-a"]))
        defer { world.cleanUp(outcomes) }
        #expect(outcomes.first?.succeeded == true)
        let log = world.logDirectory + "/workers-a.log"
        let written = await eventually {
            (try? String(contentsOfFile: log, encoding: .utf8)) == "hello\noops\n"
        }
        #expect(written, "log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "<missing>")")
    }

    @Test func orbrecVariablesOfTheParentEnvironmentAreNotPassedOn() async throws {
        let world = LocalWorld()
        let provider = world.provider(environment: ["ORBREC_MACHINE": "evil", "ORBREC_MANAGED_BY": "st-evil",
                                                    "ORBREC_STOP_TIMEOUT_MS": "1", "FOO": "bar"])
        let outcomes = await world.provision(provider, world.order(Self.sleeper, machines: ["workers-a"]))
        defer { world.cleanUp(outcomes) }
        let leader = try #require(outcomes.first?.providerID.flatMap(Proc.identity(of:)))

        let environment = Proc.environment(of: leader.pid)
        #expect(environment["ORBREC_MACHINE"] == "workers-a")
        #expect(environment["ORBREC_MANAGED_BY"] == world.owner)
        #expect(environment["ORBREC_PROVIDER"] == "here")
        #expect(environment["ORBREC_FLEET"] == "workers")
        #expect(environment["ORBREC_ACTION"] == "act-test")
        #expect(environment["ORBREC_REQUEST"] == "req-test")
        #expect(environment["ORBREC_TEMPLATE"] == "worker")
        #expect(environment["ORBREC_TEMPLATE_HASH"] == "hash-test")
        #expect(environment["ORBREC_STOP_TIMEOUT_MS"] == String(TemplateSpec.defaultStopTimeout.milliseconds))
        #expect(environment["FOO"] == "bar")
        #expect(environment["PATH"] == nil, "only the given environment, plus the tags")
        #expect(try await provider.machines(ownedBy: world.owner).map(\.id) == ["workers-a"])
        #expect(try await provider.machines(ownedBy: "st-evil").isEmpty)
    }

    /// BUG (LocalProvider.provision): `provision` answers before its machines can be
    /// observed. posix_spawn returns once the child has released the parent's memory, while
    /// execve is still setting up the new program, and until then `/proc/PID/environ` reads
    /// empty, so `machines(ownedBy:)` does not list the machine it just reported as made;
    /// `syncMachines` would mark such a machine (it has a handle) lost. The window is short:
    /// four workers each provision up to 300 machines one by one, asking after each one,
    /// and stop at the first miss.
    @Test func aProvisionedMachineCarriesItsTagsAsSoonAsProvisionReturns() async throws {
        let world = LocalWorld()
        let provider = world.provider()
        let (workers, rounds) = (4, 300)
        defer { world.cleanUp() }
        let results = await withTaskGroup(of: (made: Int, failed: Int, missing: String?).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var (made, failed) = (0, 0)
                    for round in 0..<rounds {
                        let id = "workers-\(worker)-\(round)"
                        let outcomes = await provider.provision(world.order(Self.sleeper, machines: [id]))
                        guard let leader = outcomes.first?.providerID.flatMap(Proc.identity(of:)) else {
                            failed += 1
                            continue
                        }
                        made += 1
                        // Observe at once, as a pass running right after provisioning would.
                        let seen = (try? await provider.machines(ownedBy: world.owner))?.contains { $0.id == id } ?? false
                        // Done with it (the provider reaps it on its next call).
                        kill(-leader.pid, SIGKILL)
                        if !seen { return (made, failed, id) }
                    }
                    return (made, failed, nil)
                }
            }
            var all: [(made: Int, failed: Int, missing: String?)] = []
            for await result in group { all.append(result) }
            return all
        }
        // Let the provider reap the machines killed above.
        _ = await eventually { (try? await provider.machines(ownedBy: world.owner))?.isEmpty ?? true }
        #expect(results.allSatisfy { $0.failed == 0 })
        let missing = results.compactMap(\.missing)
        let made = results.map(\.made).reduce(0, +)
        #expect(missing.isEmpty, "machines(ownedBy:) right after provision did not list \(missing) (of \(made) machines)")
    }
}
