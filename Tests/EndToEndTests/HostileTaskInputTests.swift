import Foundation
import Testing

/// Issue 15's task-key and process defects, through the built binary: what used to crash
/// `apply` (a matrix whose keys collide, SIGILL) or the local observation (/proc read past
/// readdir's buffer, SIGSEGV), and keys that could never run or that repainted the terminal.
@Suite(.serialized) struct HostileTaskInputTests {
    @Test func aMatrixWhoseKeysCollideIsALocatedErrorAndNothingIsApplied() throws {
        let h = try Harness()
        try h.writePool(spec: """
            matrix: {a: ["1", "1,b=2"], b: ["2", "2,b=2"]}
            command: ["true"]
            """)
        for command in [["validate"], ["plan"], ["apply", "--auto-approve", "--wait"]] {
            let result = try h.orbrec(command)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("sims.yaml:6:11: error: spec.matrix makes combinations 2 and 3 with the same task key 'a=1,b=2,b=2'"),
                    "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
        #expect(try h.history().isEmpty, "nothing is journaled for a configuration that does not load")
    }

    @Test func aKeyTooLongForAFileNameIsRefusedAtValidate() throws {
        let h = try Harness()
        let long = String(repeating: "k", count: 256)
        try h.writePool(spec: """
            items: [short, "\(long)"]
            command: ["true"]
            """)
        let result = try h.orbrec("validate")
        #expect(result.status == 1)
        #expect(result.stderr.contains("sims.yaml:6:18: error: item '"), "\(result.stderr)")
        #expect(result.stderr.contains("makes a task key of 256 bytes as a file name; the limit is 255"), "\(result.stderr)")
        try h.writePool(spec: """
            items: [short, "\(String(long.dropFirst()))"]
            command: ["true"]
            """)
        #expect(try h.orbrec("apply", "--auto-approve", "--wait").status == 0, "255 bytes is a file name")
        #expect(try h.tasks("sims").allSatisfy { $0["state"] as? String == "completed" })
    }

    /// A key may hold any character but NUL; on a terminal or in a log its control characters
    /// show as escapes, so a key cannot repaint a line (`x\r\e[2K  + submit 999 task(s) FAKE`).
    @Test func controlCharactersInKeysAreEscapedInEveryTextOutput() throws {
        let h = try Harness()
        try h.writePool(spec: #"""
            items: ["x\r\e[2K  + submit 999 task(s) FAKE", "bell\a", "tab\tline\n  + provision 5 FAKE"]
            command: ["sh", "-c", "exit 3"]
            retry: {maxAttempts: 1}
            """#)
        let outputs = [
            try h.orbrec("plan"), try h.orbrec("apply", "--auto-approve", "--wait"), try h.orbrec("history"),
            try h.orbrec("get", "tasks"), try h.orbrec("status"),
        ]
        let controls = CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(0x1F)).subtracting(CharacterSet(charactersIn: "\n"))
        for (index, output) in outputs.enumerated() {
            #expect(output.stdout.unicodeScalars.allSatisfy { !controls.contains($0) }, "output \(index): \(output.stdout.debugDescription)")
            #expect(output.stderr.unicodeScalars.allSatisfy { !controls.contains($0) }, "output \(index): \(output.stderr.debugDescription)")
            let forged = (output.stdout + output.stderr).split(separator: "\n").filter { $0.hasPrefix("  + provision 5 FAKE") }
            #expect(forged.isEmpty, "output \(index) has a line the key made: \(output.stdout)")
        }
        #expect(outputs[0].stdout.contains(#"x\r\e[2K  + submit 999 task(s) FAKE"#), "\(outputs[0].stdout)")
        #expect(outputs[2].stdout.contains(#"bell\u{07}"#) || outputs[3].stdout.contains(#"bell\u{07}"#))
        let json = try h.tasksByKey()
        #expect(json["x\r\u{1B}[2K  + submit 999 task(s) FAKE"] != nil, "JSON keeps the key as it is: \(json.keys)")
    }

    /// Ten times in a row: 1,000 local machines made, found and returned. Before the fix the
    /// returns crashed in most runs (signal 11 in the /proc walk).
    @Test func aThousandLocalMachinesAreProvisionedAndReturnedTenTimes() throws {
        let h = try Harness()
        for round in 1...10 {
            try h.writeFleet(count: 1_000, command: #"["sleep", "600"]"#)
            let up = try h.orbrec("apply", "--auto-approve", "--wait")
            #expect(up.status == 0, "round \(round) provision: \(up.stderr.suffix(600))")
            #expect(try h.runningMachines().count == 1_000, "round \(round)")
            try h.writeFleet(count: 0)
            let down = try h.orbrec("apply", "--auto-approve", "--allow-empty", "--wait")
            #expect(down.status == 0, "round \(round) return: \(down.stderr.suffix(600))")
            #expect(try h.runningMachines().isEmpty, "round \(round)")
            if up.status != 0 || down.status != 0 { break }
        }
    }

    @Test func aThousandTaskPoolRunsToTheEnd() throws {
        let h = try Harness()
        try h.writePool(slots: 2, spec: """
            range: {from: 1, to: 1000}
            command: ["true"]
            """)
        let result = try h.orbrec("apply", "--auto-approve", "--wait")
        #expect(result.status == 0, "\(result.stderr.suffix(600))")
        let tasks = try h.tasks("sims")
        #expect(tasks.count == 1_000)
        #expect(tasks.allSatisfy { $0["state"] as? String == "completed" })
    }
}
