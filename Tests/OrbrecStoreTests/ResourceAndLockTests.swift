import Testing
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport

/// `recordApplied` and what it remembers about applied resources.
@Suite struct AppliedResourceTests {
    static let providerLocation = OrbrecCore.SourceLocation(file: "conf/providers.yaml", line: 3, column: 1)
    static let fleetLocation = OrbrecCore.SourceLocation(file: "conf/fleet.yaml", line: 12, column: 1)

    static func desired(count: Int = 2, withFleet: Bool = true, providerAnnotations: [String: String] = ["team": "infra"])
        -> DesiredState {
        let provider = ProviderSpec(metadata: Metadata(name: "here", labels: ["tier": "dev"], annotations: providerAnnotations,
                                                       location: providerLocation),
                                    maxInFlight: 4, settings: .aws(AWSProviderSettings(region: "nowhere")))
        let template = TemplateSpec(metadata: Metadata(name: "worker"), provider: "here", settings: .local(LocalTemplateSettings(command: ["sleep", "30"])))
        let fleet = FleetSpec(metadata: Metadata(name: "workers", annotations: [Metadata.preventDestroyAnnotation: "true"],
                                                 location: fleetLocation),
                              template: "worker", count: count)
        return DesiredState(providers: [provider], templates: [template], fleets: withFleet ? [fleet] : [], revision: "rev")
    }

    static let fleetID = ResourceID(.fleet, "workers")
    static let templateID = ResourceID(.template, "worker")
    static let providerID = ResourceID(.provider, "here")

    func generations(_ store: StateStore) async throws -> [ResourceID: Int] {
        Dictionary(uniqueKeysWithValues: try await store.resources().map { ($0.id, $0.generation) })
    }

    @Test(arguments: TestStateBackend.allCases)
    func theGenerationStartsAtOneAndMovesOnlyWhenTheSpecChanges(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)

        try await store.recordApplied(Self.desired(count: 2), versions: [:], conditions: [:], forget: [], at: Journal.at(1_000))
        #expect(try await generations(store) == [Self.providerID: 1, Self.templateID: 1, Self.fleetID: 1])

        try await store.recordApplied(Self.desired(count: 2), versions: [:], conditions: [:], forget: [], at: Journal.at(2_000))
        #expect(try await generations(store) == [Self.providerID: 1, Self.templateID: 1, Self.fleetID: 1], "same spec hash")

        try await store.recordApplied(Self.desired(count: 3), versions: [:], conditions: [:], forget: [], at: Journal.at(3_000))
        #expect(try await generations(store) == [Self.providerID: 1, Self.templateID: 1, Self.fleetID: 2])

        try await store.recordApplied(Self.desired(count: 5), versions: [:], conditions: [:], forget: [], at: Journal.at(4_000))
        try await store.recordApplied(Self.desired(count: 5), versions: [:], conditions: [:], forget: [], at: Journal.at(5_000))
        #expect(try await generations(store) == [Self.providerID: 1, Self.templateID: 1, Self.fleetID: 3])

        let fleet = try #require(try await store.resources().first { $0.id == Self.fleetID })
        #expect(fleet.specHash == Self.desired(count: 5).fleets["workers"]?.specHash)
        #expect(fleet.appliedAt == Journal.at(5_000))
        #expect(fleet.status == "applied")
        #expect(fleet.spec.contains("\"count\":5"), "the applied spec is kept as JSON")
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func versionsAndConditionsAreKeptUntilReplaced(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let ready = Condition(type: "Ready", status: "True", reason: "AllRunning", message: "2/2", observedGeneration: 1,
                              lastTransitionTime: Journal.at(1_000))
        try await store.recordApplied(Self.desired(), versions: [Self.fleetID: "v1"], conditions: [Self.fleetID: [ready]], forget: [],
                                      at: Journal.at(1_000))
        try await store.recordApplied(Self.desired(), versions: [:], conditions: [:], forget: [], at: Journal.at(2_000))
        let fleet = try #require(try await store.resources().first { $0.id == Self.fleetID })
        #expect(fleet.version == "v1")
        #expect(fleet.conditions == [ready])
        #expect(fleet.labels == [:])
        let provider = try #require(try await store.resources().first { $0.id == Self.providerID })
        #expect(provider.labels == ["tier": "dev"])
        #expect(provider.version == "")
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func forgetDeletesTheResource(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordApplied(Self.desired(), versions: [:], conditions: [:], forget: [], at: Journal.at(1_000))
        #expect(try await store.resources().count == 3)

        try await store.recordApplied(Self.desired(withFleet: false), versions: [:], conditions: [:], forget: [Self.fleetID],
                                      at: Journal.at(2_000))
        #expect(Set(try await store.resources().map(\.id)) == [Self.providerID, Self.templateID])
        #expect(!(try await store.knownResources().map(\.id).contains(Self.fleetID)))

        // Applied again after being forgotten: a new resource, generation 1.
        try await store.recordApplied(Self.desired(count: 9), versions: [:], conditions: [:], forget: [], at: Journal.at(3_000))
        #expect(try await generations(store)[Self.fleetID] == 1)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func appliedProvidersDecodeTheProviderSpecBack(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let desired = Self.desired()
        try await store.recordApplied(desired, versions: [:], conditions: [:], forget: [], at: Journal.at(1_000))

        let providers = try await store.appliedProviders()
        #expect(providers == [try #require(desired.providers["here"])])
        #expect(providers.first?.metadata.location == Self.providerLocation)
        #expect(providers.first?.maxInFlight == 4)
        #expect(providers.first?.settings == .aws(AWSProviderSettings(region: "nowhere")))

        // Still there once the provider has left the configuration (not forgotten).
        try await store.recordApplied(DesiredState(), versions: [:], conditions: [:], forget: [], at: Journal.at(2_000))
        #expect(try await store.appliedProviders().map(\.name) == ["here"])
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func knownResourcesCarryAnnotationsAndSourceLocation(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordApplied(Self.desired(), versions: [:], conditions: [:], forget: [], at: Journal.at(1_000))

        let known = Dictionary(uniqueKeysWithValues: try await store.knownResources().map { ($0.id, $0) })
        #expect(known.count == 3)
        let fleet = try #require(known[Self.fleetID])
        var expectedFleet = KnownResource(id: Self.fleetID, annotations: [Metadata.preventDestroyAnnotation: "true"],
                                          location: Self.fleetLocation)
        expectedFleet.fields = Self.desired().fleets[Self.fleetID.name]?.fieldValues
        #expect(fleet == expectedFleet)
        #expect(fleet.preventsDestroy)
        #expect(known[Self.providerID] == KnownResource(id: Self.providerID, annotations: ["team": "infra"],
                                                        location: Self.providerLocation), "no fields: a plan does not diff providers")
        var expectedTemplate = KnownResource(id: Self.templateID)
        expectedTemplate.fields = Self.desired().templates[Self.templateID.name]?.fieldValues
        #expect(known[Self.templateID] == expectedTemplate, "no annotations, no location; the applied spec's fields")
        #expect(expectedTemplate.fields?["command"] == #"["sleep", "30"]"#)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func templateHistoryKeepsTheFirstRecordOfEachHashAndOnlyADigestOfUserData(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let template = TemplateSpec(metadata: Metadata(name: "web"), provider: "ec2",
                                    settings: .aws(AWSTemplateSettings(imageId: "ami-1", userData: "TOKEN=hunter2")))
        try await store.recordTemplateHistory([template], at: Journal.at(1_000))
        try await store.recordTemplateHistory([template], at: Journal.at(2_000))
        var moved = template
        moved.settings = .aws(AWSTemplateSettings(imageId: "ami-2", userData: "TOKEN=hunter2"))
        try await store.recordApplied(DesiredState(templates: [moved]), versions: [:], conditions: [:], forget: [], at: Journal.at(3_000))

        let history = try await store.templateHistory()
        #expect(history.count == 2)
        #expect(history[template.specHash] == template.replacementFieldValues)
        #expect(history[moved.specHash]?["imageId"] == #""ami-2""#)
        let digest = history[template.specHash]?["userData"] ?? ""
        #expect(digest.hasPrefix("digest:"))
        #expect(digest.contains("hunter2") == false)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func anAnnotationChangeIsRecordedEvenWithoutANewGeneration(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordApplied(Self.desired(), versions: [:], conditions: [:], forget: [], at: Journal.at(1_000))
        try await store.recordApplied(Self.desired(providerAnnotations: [Metadata.preventDestroyAnnotation: "true"]),
                                      versions: [:], conditions: [:], forget: [], at: Journal.at(2_000))
        let provider = try #require(try await store.knownResources().first { $0.id == Self.providerID })
        #expect(provider.preventsDestroy, "the latest annotations are what is known")
        await store.close()
    }
}

/// The state lock.
@Suite struct StateLockTests {
    static func lock(_ id: String, pid: Int32 = 4242, at time: Int64 = 1_000) -> LockRecord {
        LockRecord(id: id, operation: "apply", who: "tester@host-\(id)", host: "host-\(id)", pid: pid, processStart: "777",
                   createdAt: Journal.at(time))
    }

    @Test(arguments: TestStateBackend.allCases)
    func theFirstLockerTakesItAndTheSecondGetsTheHolder(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        #expect(try await store.currentLock() == nil)

        let first = Self.lock("lock-a")
        #expect(try await store.tryLock(first, isStale: { _ in Issue.record("nobody holds it yet"); return false }) == nil)
        #expect(try await store.currentLock() == first)

        let second = Self.lock("lock-b")
        let holder = try await store.tryLock(second, isStale: { holder in
            #expect(holder == first, "asked about the holder")
            return false
        })
        #expect(holder == first)
        #expect(try await store.currentLock() == first)

        // Taking it again with the holder's own id is not a conflict.
        #expect(try await store.tryLock(first, isStale: { _ in false }) == nil)
        #expect(try await store.currentLock() == first)
        #expect(try await await store.allEvents().isEmpty, "taking a free lock writes no event")
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aStaleHolderIsTakenOverAndAnEventRecordsTheBrokenLock(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let first = Self.lock("lock-a", pid: 4242)
        #expect(try await store.tryLock(first, isStale: { _ in false }) == nil)

        let second = Self.lock("lock-b", at: 5_000)
        #expect(try await store.tryLock(second, isStale: { $0.id == "lock-a" }) == nil)
        #expect(try await store.currentLock() == second)

        let events = try await store.allEvents()
        #expect(events.map(EventShape.init) == [EventShape("lock/lock-a", "held", "broken")])
        #expect(events.first?.resource == "state")
        #expect(events.first?.at == Journal.at(5_000))
        #expect(events.first?.cause.contains("4242") == true)
        #expect(events.first?.cause.contains("host-lock-a") == true)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func unlockWithAWrongIDDoesNothingAndWithTheRightIDReleases(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let first = Self.lock("lock-a")
        #expect(try await store.tryLock(first, isStale: { _ in false }) == nil)

        try await store.unlock(id: "lock-other")
        #expect(try await store.currentLock() == first)

        try await store.unlock(id: "lock-a")
        #expect(try await store.currentLock() == nil)
        try await store.unlock(id: "lock-a")  // already free: no error
        #expect(try await store.tryLock(Self.lock("lock-b"), isStale: { _ in false }) == nil)
        #expect(try await store.currentLock()?.id == "lock-b")
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func forceUnlockRemovesOnlyTheNamedHolder(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        #expect(try await store.forceUnlock(id: "lock-a", at: Journal.at(500)) == false, "nothing to remove")
        let first = Self.lock("lock-a")
        #expect(try await store.tryLock(first, isStale: { _ in false }) == nil)

        #expect(try await store.forceUnlock(id: "lock-wrong", at: Journal.at(2_000)) == false)
        #expect(try await store.currentLock() == first)
        #expect(try await store.allEvents().isEmpty)

        #expect(try await store.forceUnlock(id: "lock-a", at: Journal.at(3_000)) == true)
        #expect(try await store.currentLock() == nil)
        #expect(try await store.eventShapes() == [EventShape("lock/lock-a", "held", "force-unlocked")])
        #expect(try await store.allEvents().first?.at == Journal.at(3_000))
        await store.close()
    }
}
