internal import Foundation
public import OrbrecCore

/// Runs one Slurm client command (sbatch, scontrol, sacct, scancel) as an argv, never
/// through a shell, and gives back its exit status and output.
struct SlurmCommand {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ argv: [String], environment: [String: String]? = nil) throws(ProviderError) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ProviderError(code: "slurm-unavailable", message: "cannot run \(argv.first ?? ""): \(error.localizedDescription)", retryable: true)
        }
        // Both pipes are drained before waiting, so a large answer cannot block the command.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        if status == 127 {
            throw ProviderError(code: "slurm-unavailable", message: "\(argv.first ?? "") is not installed or not on PATH", retryable: true)
        }
        return Output(status: status, stdout: String(decoding: outputData, as: UTF8.self), stderr: String(decoding: errorData, as: UTF8.self))
    }
}
