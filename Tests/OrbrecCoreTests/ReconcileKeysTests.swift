import Testing
import OrbrecCore
import OrbrecTestSupport

@Suite("Reconcile keys of a configuration change")
struct ReconcileKeysTests {
    let base = Fixtures.desired(templates: [Fixtures.template("worker"), Fixtures.template("other")],
                                fleets: [Fixtures.fleet("a", count: 1), Fixtures.fleet("b", template: "other", count: 2)])

    @Test func everythingAtFirstNothingWhenUnchanged() {
        #expect(base.reconcileKeys(changedFrom: nil) == [ResourceID(.fleet, "a"), ResourceID(.fleet, "b")])
        #expect(base.reconcileKeys(changedFrom: base).isEmpty)
    }

    @Test func aFleetsOwnChangeTouchesOnlyIt() {
        var changed = base
        changed.fleets["a"]?.count = 3
        #expect(changed.reconcileKeys(changedFrom: base) == [ResourceID(.fleet, "a")])
    }

    @Test func aTemplateOrProviderChangeTouchesTheFleetsUsingIt() {
        var changed = base
        changed.templates["other"]?.settings = .local(LocalTemplateSettings(command: ["sleep", "1000"]))
        #expect(changed.reconcileKeys(changedFrom: base) == [ResourceID(.fleet, "b")])
        var provider = base
        provider.providers["here"]?.maxInFlight = 3
        #expect(provider.reconcileKeys(changedFrom: base) == [ResourceID(.fleet, "a"), ResourceID(.fleet, "b")])
    }

    @Test func addedAndRemovedFleetsAreKeys() {
        var changed = base
        changed.fleets["a"] = nil
        changed.fleets["c"] = Fixtures.fleet("c", count: 1)
        #expect(changed.reconcileKeys(changedFrom: base) == [ResourceID(.fleet, "a"), ResourceID(.fleet, "c")])
    }
}
