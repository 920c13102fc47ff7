import Foundation
import OrbrecTestSupport
import Testing

/// Issue 16, item 5: `get KIND [NAME]` with filters, `describe KIND/NAME`, task keys in
/// natural order with start, end and elapsed.
@Suite struct GetDescribeTests {
    /// Two labelled fleets of the same template and a pool of twelve numbered tasks, applied.
    func applied(_ backend: TestStateBackend) throws -> Harness {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        try h.write("workers.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: workers, labels: {team: cfd}}
            spec: {template: sleeper, count: 2}
            ---
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: spare, labels: {team: ops}}
            spec: {template: sleeper, count: 1}
            """)
        try h.writePool(slots: 4, spec: """
            range: {from: 1, to: 12}
            command: ["sh", "-c", "echo task ${item}"]
            """)
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        return h
    }

    @Test(arguments: TestStateBackend.allCases)
    func getListsOneKindOrOneThingWithFilters(_ backend: TestStateBackend) throws {
        let h = try applied(backend)
        defer { h.killMachines() }

        let fleets = try h.orbrec("get", "fleets")
        #expect(fleets.status == 0, "\(fleets.stderr)")
        #expect(fleets.stdout.hasPrefix("NAME") && fleets.stdout.contains("workers") && fleets.stdout.contains("spare"), "\(fleets.stdout)")
        let one = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "fleet", "workers", "-o", "json").stdout.utf8)) as? [[String: Any]]
        #expect(one?.count == 1 && one?.first?["name"] as? String == "workers", "\(String(describing: one))")
        #expect((one?.first?["machine_ids"] as? [String])?.count == 2)
        let missing = try h.orbrec("get", "fleets", "nope")
        #expect(missing.status == 1 && missing.stderr.contains("no fleet nope"), "\(missing.stderr)")

        // One machine by id; the others are not shown.
        let running = try h.runningMachines().sorted()
        #expect(running.count == 3)
        let machine = try #require(running.first)
        let byID = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "machines", machine, "-o", "json").stdout.utf8)) as? [[String: Any]]
        #expect(byID?.map { $0["id"] as? String } == [machine], "get machines ID shows that machine only: \(String(describing: byID))")
        let unknown = try h.orbrec("get", "machines", "no-such-machine")
        #expect(unknown.status == 1 && unknown.stderr.contains("no machine no-such-machine"), "\(unknown.stderr)")

        // Filters: fleet, state, labels (a machine has its fleet's).
        func ids(_ arguments: String...) throws -> [String] {
            let result = try h.orbrec(["get", "machines"] + arguments + ["-o", "json"])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try ids("--fleet", "spare").count == 1)
        #expect(try ids("-l", "team=cfd").count == 2)
        #expect(try ids("-l", "team!=cfd").count == 1)
        #expect(try ids("-l", "team=cfd", "--status", "running").count == 2)
        #expect(try ids("--status", "returned").isEmpty)

        #expect(try h.orbrec("get", "templates").stdout.contains("sleeper"))
        let templates = try h.orbrec("get", "templates", "-o", "wide")
        #expect(templates.stdout.contains("SPEC HASH") && templates.stdout.contains("spare,workers"), "\(templates.stdout)")
        let pools = try h.orbrec("get", "pools")
        #expect(pools.status == 0 && pools.stdout.contains("sims") && pools.stdout.contains("finished"), "\(pools.stdout)")
        #expect(try h.orbrec("get", "workflows").stdout.contains("No workflows."))
        #expect(try h.orbrec("get", "requests", "--status", "succeeded", "-o", "json").status == 0)
    }

    @Test(arguments: TestStateBackend.allCases)
    func taskListingsSortKeysAsNumbersAndShowTimes(_ backend: TestStateBackend) throws {
        let h = try applied(backend)
        defer { h.killMachines() }
        let table = try h.orbrec("get", "tasks", "sims")
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        for column in ["START", "END", "ELAPSED"] { #expect(header.contains(column), "\(header)") }
        let keys = lines.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        #expect(keys == (1...12).map { Substring(String($0)) }, "2 before 10: \(keys)")
        for line in lines.dropFirst() {
            #expect(line.range(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  \d+(ms|s)"#, options: .regularExpression) != nil,
                    "start, end and elapsed of a finished task: \(line)")
        }
        let json = try h.tasks("sims").compactMap { $0["key"] as? String }
        #expect(json == (1...12).map(String.init), "the JSON too: \(json)")

        let oneTask = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "tasks", "sims/10", "-o", "json").stdout.utf8)) as? [[String: Any]]
        #expect(oneTask?.count == 1 && oneTask?.first?["key"] as? String == "10")
        #expect(try h.orbrec("get", "tasks", "sims/99").status == 1, "one task that is not there is an error")
        let completed = try h.orbrec("get", "tasks", "--pool", "sims", "--status", "completed", "-o", "json")
        #expect((try JSONSerialization.jsonObject(with: Data(completed.stdout.utf8)) as? [Any])?.count == 12)
        let wide = try h.orbrec("get", "tasks", "sims", "-o", "wide")
        #expect(wide.stdout.contains("HOST") && wide.stdout.contains("NEXT TRY"), "\(wide.stdout)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func describeShowsSpecMachinesTasksConditionsActionsAndEvents(_ backend: TestStateBackend) throws {
        let h = try applied(backend)
        defer { h.killMachines() }
        let fleet = try h.orbrec("describe", "fleet/workers")
        #expect(fleet.status == 0, "\(fleet.stderr)")
        for part in ["Name:         workers", "Kind:         Fleet", "Labels:       team=cfd", "Sync:", "Health:", "Spec:", "count: 2",
                     "template: sleeper", "Conditions:", "Machines:", "Recent actions:", "provision", "Events:"] {
            #expect(fleet.stdout.contains(part), "'\(part)' in:\n\(fleet.stdout)")
        }
        #expect(fleet.stdout.contains("workers.yaml:"), "where it was written")

        let document = try h.json(try h.orbrec("describe", "Fleet/workers", "-o", "json").stdout)
        #expect(document["kind"] as? String == "Fleet" && document["name"] as? String == "workers")
        #expect((document["machines"] as? [[String: Any]])?.count == 2, "\(document)")
        #expect((document["actions"] as? [[String: Any]])?.contains { $0["verb"] as? String == "provision" } == true)
        #expect((document["events"] as? [[String: Any]])?.isEmpty == false, "its journal events")
        #expect((document["spec"] as? [String: Any])?["count"] as? Int == 2)

        let pool = try h.orbrec("describe", "TaskPool/sims")
        #expect(pool.status == 0 && pool.stdout.contains("Tasks:") && pool.stdout.contains("completed"), "\(pool.stdout)")
        #expect(try h.orbrec("describe", "pool/sims").status == 0, "pool is TaskPool")

        let machine = try #require(try h.runningMachines().sorted().first)
        let described = try h.orbrec("describe", "Machine/\(machine)")
        #expect(described.status == 0 && described.stdout.contains("Kind:         Machine") && described.stdout.contains("Fleet:"),
                "\(described.stdout)")
        #expect(described.stdout.contains("Events:") && described.stdout.contains("machine/\(machine)"), "\(described.stdout)")

        let missing = try h.orbrec("describe", "Fleet/nope")
        #expect(missing.status == 1 && missing.stderr.contains("no Fleet/nope"), "\(missing.stderr)")
        let malformed = try h.orbrec("describe", "workers")
        #expect(malformed.status == 1 && malformed.stderr.contains("is not KIND/NAME"), "\(malformed.stderr)")
    }
}
