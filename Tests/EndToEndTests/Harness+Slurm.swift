import Foundation
import Testing

extension Harness {
    /// Every task of the state, as `get tasks -o json` lists them.
    func allTasks() throws -> [[String: Any]] {
        let result = try orbrec("get", "tasks", "-o", "json")
        #expect(result.status == 0, "get tasks: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// The Slurm job ids of a task's attempts, oldest first.
    static func jobIDs(_ task: [String: Any]) -> [String] {
        ((task["attempts"] as? [[String: Any]]) ?? []).compactMap { $0["job_id"] as? String }
    }

    /// Every job Slurm holds for the state `owner`: (job id, comment). With `arrayTasks`, one
    /// row per array task (`squeue -r`) instead of one per array.
    func slurmJobs(arrayTasks: Bool = false, owner: String) throws -> [(id: String, comment: String)] {
        let result = try runProgram("/usr/bin/env", ["squeue", "-h", "-t", "all"] + (arrayTasks ? ["-r"] : []) + ["-o", "%i|%k"])
        return result.stdout.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[1].contains(":\(owner):") else { return nil }
            return (parts[0], parts[1])
        }
    }
}
