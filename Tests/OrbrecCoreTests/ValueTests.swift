import Testing
import OrbrecCore
import OrbrecTestSupport
import PropertyBased

@Suite("ConfigDuration")
struct ConfigDurationTests {
    @Test(arguments: [
        ("500ms", 500),
        ("90s", 90_000),
        ("5m", 300_000),
        ("2h", 7_200_000),
        ("1h30m", 5_400_000),
        ("1d", 86_400_000),
        ("0s", 0),
        ("1m30s250ms", 90_250),
    ] as [(String, Int64)])
    func parsesValidDurations(text: String, milliseconds: Int64) {
        #expect(ConfigDuration(parsing: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["10 seconds", "5x", "", "-1s", "1.5s", "10", "s", "1h 30m", " 1s", "1s ", "1S", "５s", "99999999999999999999s",
                      "9223372036854775807h"])
    func rejectsInvalidDurations(text: String) {
        #expect(ConfigDuration(parsing: text) == nil)
    }

    @Test(arguments: [
        (500, "500ms"), (1000, "1s"), (90_000, "1m30s"), (5_400_000, "1h30m"), (86_400_000, "24h"), (0, "0s"), (3_723_004, "1h2m3s4ms"),
    ] as [(Int64, String)])
    func describesWithTheLargestUnitsFirst(milliseconds: Int64, text: String) {
        #expect(ConfigDuration(milliseconds: milliseconds).description == text)
    }

    @Test func descriptionRoundTrips() async {
        await propertyCheck(count: 300, input: Gen.int64(in: 0...(1_000 * 86_400_000))) { milliseconds in
            let duration = ConfigDuration(milliseconds: milliseconds)
            #expect(ConfigDuration(parsing: duration.description) == duration)
        }
    }

    @Test func comparesByLength() {
        #expect(ConfigDuration(parsing: "59s")! < ConfigDuration(parsing: "1m")!)
        #expect(ConfigDuration.seconds(90) == ConfigDuration(parsing: "1m30s"))
        #expect(ConfigDuration.seconds(2).seconds == 2)
    }
}

@Suite("ResourceName")
struct ResourceNameTests {
    @Test(arguments: ["web", "a", "0", "web-1", "0abc", "a--b", String(repeating: "a", count: 63)])
    func acceptsDNSLabels(name: String) {
        #expect(ResourceName.problem(with: name) == nil)
    }

    @Test(arguments: ["", String(repeating: "a", count: 64), "Web", "web_1", "-web", "web-", "-", "wéb", "a.b", "a b", "web/1"])
    func rejectsOtherNames(name: String) {
        #expect(ResourceName.problem(with: name) != nil)
    }

    @Test func problemsSayWhatIsWrong() {
        #expect(ResourceName.problem(with: "")?.contains("empty") == true)
        #expect(ResourceName.problem(with: String(repeating: "a", count: 64))?.contains("64") == true)
        #expect(ResourceName.problem(with: "Web")?.contains("lowercase") == true)
        #expect(ResourceName.problem(with: "web-")?.contains("start and end") == true)
    }
}

@Suite("StableHasher")
struct StableHasherTests {
    func digest(_ build: (inout StableHasher) -> Void) -> String {
        var hasher = StableHasher()
        build(&hasher)
        return hasher.hexDigest
    }

    @Test func sameValueSameDigest() {
        let first = digest { $0.combine("worker"); $0.combine(3); $0.combine(true) }
        let second = digest { $0.combine("worker"); $0.combine(3); $0.combine(true) }
        #expect(first == second)
        #expect(first.count == 16)
    }

    @Test func digestsArePinnedAcrossRunsAndMachines() {
        // FNV-1a 64 of the empty input, and of "worker" with its 8-byte little-endian length prefix.
        #expect(StableHasher().hexDigest == "cbf29ce484222325")
        #expect(digest { $0.combine("worker") } == "8797c794f5fe7549")
        #expect(digest { $0.combine("ab"); $0.combine("c") } == "7e60470bf599cad6")
    }

    @Test func fieldBoundariesMatter() {
        #expect(digest { $0.combine("ab"); $0.combine("c") } != digest { $0.combine("a"); $0.combine("bc") })
        #expect(digest { $0.combine(["ab", "c"]) } != digest { $0.combine(["a", "bc"]) })
        #expect(digest { $0.combine(nil as String?) } != digest { $0.combine("") })
        #expect(digest { $0.combine(nil as Int?) } != digest { $0.combine(0) })
    }

    @Test func dictionariesDoNotDependOnInsertionOrder() {
        let keys = (0..<50).map { "key-\($0)" }
        var forward: [String: String] = [:]
        for key in keys { forward[key] = key.uppercased() }
        var backward: [String: String] = Dictionary(minimumCapacity: 500)
        for key in keys.reversed() { backward[key] = key.uppercased() }
        #expect(digest { $0.combine(forward) } == digest { $0.combine(backward) })

        var counts: [String: Int] = [:]
        for (index, key) in keys.enumerated() { counts[key] = index }
        var countsBackward: [String: Int] = Dictionary(minimumCapacity: 300)
        for (index, key) in keys.enumerated().reversed() { countsBackward[key] = index }
        #expect(digest { $0.combine(counts) } == digest { $0.combine(countsBackward) })
    }

    @Test func dictionaryKeysAndValuesAreNotConfused() {
        #expect(digest { $0.combine(["a": "b"]) } != digest { $0.combine(["b": "a"]) })
        #expect(digest { $0.combine(["a": "b", "c": "d"]) } != digest { $0.combine(["a": "d", "c": "b"]) })
    }

    @Test func differentStringsDiffer() async {
        await propertyCheck(count: 200, input: Gen.letterOrNumber.string(of: 0...8), Gen.letterOrNumber.string(of: 0...8)) { a, b in
            let same = digest { $0.combine(a) } == digest { $0.combine(b) }
            #expect(same == (a == b))
        }
    }

    @Test func specHashesAreStable() {
        #expect(Fixtures.template().specHash == Fixtures.template().specHash)
        #expect(Fixtures.fleet(count: 2).specHash == Fixtures.fleet(count: 2).specHash)
        #expect(Fixtures.fleet(count: 2).specHash != Fixtures.fleet(count: 3).specHash)
        #expect(Fixtures.fleet(count: 2, annotations: ["x": "1"]).specHash != Fixtures.fleet(count: 2).specHash)
    }
}
